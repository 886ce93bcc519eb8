// What a cluster leader writes to etcd must be believed by the other nodes: a zone holding TLSA
// records and the transport summary (DANE mismatches, MTA-STS holds) passes the shape check;
// TLSA data that is not hex, or a summary of the wrong shape, does not.
import { describe, expect, it } from 'vitest';
import { zoneShape } from '../../src/cluster/shapes.ts';
import type { DesiredZone } from '../../src/model.ts';
import { HEX } from './fixtures.ts';

const zone: DesiredZone = {
  zone: 'example.com',
  serial: 2026120601,
  sets: [
    { name: 'example.com', type: 'MX', ttl: 30, values: [{ data: { type: 'MX', preference: 10, exchange: 'mx1.example.com' }, host: 'mx1.example.com' }], source: 'pool', pool: 'inbound' },
    { name: '_25._tcp.mx1.example.com', type: 'TLSA', ttl: 30, values: [{ data: { type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: HEX('a') } }, { data: { type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: HEX('b') } }], source: 'auth' },
  ],
  notes: [],
  transport: { mismatches: { 'mx2.example.com': { key: `1 1 ${HEX('c')}`, until: 1_796_000_030_000 } }, heldMx: { 'mx3.example.com': 1_796_000_030_000 }, nextChange: 1_796_000_030_000 },
};

describe('cluster: the agreed zone read back from etcd', () => {
  it('believes a zone with TLSA records and a transport summary, unchanged', () => {
    expect(zoneShape.parse(structuredClone(zone))).toEqual(zone);
  });

  it('refuses TLSA data that is not hex, and a summary of the wrong shape', () => {
    const badData = structuredClone(zone);
    (badData.sets[1]!.values[0]!.data as { data: string }).data = 'not hex';
    expect(zoneShape.safeParse(badData).success).toBe(false);
    const badSummary = structuredClone(zone) as unknown as { transport: { heldMx: unknown } };
    badSummary.transport.heldMx = { 'mx3.example.com': 'soon' };
    expect(zoneShape.safeParse(badSummary).success).toBe(false);
  });
});
