// IXFR answers as pure functions of (zone index, journal, query): the incremental form when the
// journal holds the client's serial, the whole zone when it does not, the SOA alone when the client
// is current — and over UDP one message or the SOA alone. A miniature secondary applies each answer
// to the zone it held; it must end with exactly the records of an AXFR of the new version.
import { describe, expect, it } from 'vitest';
import { desired } from '../../../src/desired.ts';
import type { DesiredZone, HealthState } from '../../../src/model.ts';
import { ZoneJournal } from '../../../src/dns/journal/journal.ts';
import { transferMessages } from '../../../src/dns/transfer.ts';
import { compileZone } from '../../../src/dns/zoneindex.ts';
import { decodeQuery, type Query } from '../../../src/dns/query.ts';
import { TYPE } from '../../../src/dns/constants.ts';
import { dnsConfig } from '../helpers.ts';
import { rawQuery } from '../packets.ts';
import { health } from '../../desired/fixtures.ts';
import { answerLines, applyIxfr, parse, sortedBody } from './wire.ts';

const cfg = dnsConfig('127.16.0.1:0');
const zoneAt = (serial: number, states: Record<string, HealthState> = {}): DesiredZone => desired(cfg, health(cfg, states), { serial, now: 0 });

/** An IXFR query carrying the client's SOA serial in the authority section (RFC 1995 3). */
function ixfrQuery(serial: number | undefined, edns?: number): Query {
  const base = rawQuery('example.com', TYPE.IXFR, { id: 77, ...(edns ? { edns: { payload: edns } } : {}) });
  if (serial === undefined) return (decodeQuery(base) as { query: Query }).query;
  const question = base.subarray(0, 12 + 13 + 4);
  const soa = Buffer.alloc(2 + 10 + 22);
  soa.writeUInt16BE(0xc00c, 0);
  soa.writeUInt16BE(TYPE.SOA, 2);
  soa.writeUInt16BE(1, 4);
  soa.writeUInt16BE(22, 10);
  soa.writeUInt32BE(serial, 12 + 2);
  const rest = base.subarray(12 + 13 + 4);
  const message = Buffer.concat([question, soa, rest]);
  message.writeUInt16BE(1, 8);
  const decoded = decodeQuery(message);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.query;
}

const axfr = (zone: DesiredZone) => answerLines(transferMessages(compileZone(zone), ixfrQuery(undefined), 'axfr').messages);

function history(limits = { maxVersions: 100, maxBytes: 1 << 20 }) {
  const journal = new ZoneJournal('example.com', limits);
  const zones = [
    zoneAt(100),
    zoneAt(101, { 'mx1.example.com': 'unhealthy' }),
    zoneAt(102, { 'mx1.example.com': 'unhealthy', 'relay1.example.com': 'draining' }),
    zoneAt(103, { 'relay1.example.com': 'draining' }),
  ];
  for (const zone of zones) journal.record(zone);
  return { journal, zones, index: compileZone(zones[3] as DesiredZone) };
}

describe('IXFR over TCP', () => {
  it.each([100, 101, 102])('from serial %i: incremental, and the secondary ends with the new zone', (from) => {
    const { journal, zones, index } = history();
    const answer = transferMessages(index, ixfrQuery(from), 'ixfr', { journal });
    expect(answer).toMatchObject({ form: 'ixfr-incremental', from });
    const lines = answerLines(answer.messages);
    expect(lines[1]).toBe(`example.com 3600 SOA ${from}`); // condensed: one difference from the client's serial
    const held = axfr(zones[from - 100] as DesiredZone);
    expect(sortedBody(applyIxfr(held, lines))).toEqual(sortedBody(axfr(zones[3] as DesiredZone)));
    expect(answer.records).toBeLessThan(10);
    expect(parse(answer.messages[0] as Buffer).questions).toHaveLength(1);
  });

  it('the client is current (or ahead): the SOA alone', () => {
    const { journal, index } = history();
    for (const serial of [103, 104]) {
      const answer = transferMessages(index, ixfrQuery(serial), 'ixfr', { journal });
      expect(answer.form).toBe('ixfr-current');
      expect(answerLines(answer.messages)).toEqual(['example.com 3600 SOA 103']);
    }
  });

  it('a serial the journal does not hold (older, unknown, or dropped by the bounds): the whole zone in AXFR form', () => {
    const { journal, zones, index } = history({ maxVersions: 1, maxBytes: 1 << 20 });
    for (const serial of [100, 101, 42]) {
      const answer = transferMessages(index, ixfrQuery(serial), 'ixfr', { journal });
      expect(answer.form).toBe('ixfr-full');
      expect(answerLines(answer.messages)).toEqual(axfr(zones[3] as DesiredZone));
    }
    expect(transferMessages(index, ixfrQuery(102), 'ixfr', { journal }).form).toBe('ixfr-incremental');
    expect(transferMessages(index, ixfrQuery(102), 'ixfr').form).toBe('ixfr-full'); // no journal at all
  });

  it('a journal that does not end at the served version is not used', () => {
    const { journal, zones } = history();
    const older = compileZone(zones[2] as DesiredZone);
    expect(transferMessages(older, ixfrQuery(100), 'ixfr', { journal }).form).toBe('ixfr-full');
  });

  it('a difference larger than the zone: the whole zone instead', () => {
    const journal = new ZoneJournal('example.com');
    const everyone = Object.fromEntries(cfg.pools.flatMap((p) => p.hosts.map((h) => [h.name, 'disabled' as HealthState])));
    const before = { ...zoneAt(1), sets: zoneAt(1).sets.map((s) => ({ ...s, ttl: s.ttl + 1 })) };
    journal.record(before);
    const after = zoneAt(2, everyone);
    journal.record(after);
    expect(transferMessages(compileZone(after), ixfrQuery(1), 'ixfr', { journal }).form).toBe('ixfr-full');
  });

  it('AXFR is not affected by the journal', () => {
    const { journal, zones, index } = history();
    const answer = transferMessages(index, ixfrQuery(100), 'axfr', { journal });
    expect(answer.form).toBe('axfr');
    expect(answerLines(answer.messages)).toEqual(axfr(zones[3] as DesiredZone));
  });
});

describe('IXFR over UDP (RFC 1995 4)', () => {
  it('an incremental answer that fits comes in one message with the OPT echoed', () => {
    const { journal, zones, index } = history();
    const answer = transferMessages(index, ixfrQuery(102, 1232), 'ixfr', { journal, udpLimit: 1232 });
    expect(answer.form).toBe('ixfr-incremental');
    expect(answer.messages).toHaveLength(1);
    expect((answer.messages[0] as Buffer).length).toBeLessThanOrEqual(1232);
    expect(parse(answer.messages[0] as Buffer).header.arcount).toBe(1);
    expect(sortedBody(applyIxfr(axfr(zones[2] as DesiredZone), answerLines(answer.messages)))).toEqual(sortedBody(axfr(zones[3] as DesiredZone)));
  });

  it('one that does not fit, or a full zone, gets the SOA alone: the client asks again over TCP', () => {
    const { journal, index } = history();
    const small = transferMessages(index, ixfrQuery(100), 'ixfr', { journal, udpLimit: 120 });
    expect(small.form).toBe('ixfr-udp-soa');
    expect(answerLines(small.messages)).toEqual(['example.com 3600 SOA 103']);
    const unknown = transferMessages(index, ixfrQuery(7), 'ixfr', { journal, udpLimit: 1232 });
    expect(unknown.form).toBe('ixfr-udp-soa');
    expect(transferMessages(index, ixfrQuery(103), 'ixfr', { journal, udpLimit: 512 }).form).toBe('ixfr-current');
  });
});
