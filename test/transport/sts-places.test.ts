// The MTA-STS hold across places, as tables: stsHolds (pure) and the per-place book the daemon feeds.
import { describe, expect, it } from 'vitest';
import { stsHolds, transportView, type TransportState } from '../../src/auth/transport.ts';
import { parseConfig } from '../../src/config/load.ts';
import { mtaStsPolicy } from '../../src/auth/mta-sts.ts';
import { StsPlaces, stsIdOf } from '../../src/daemon/sts-places.ts';
import { heldMxEntries } from '../../src/daemon/transport.ts';
import type { DesiredZone } from '../../src/model.ts';
import type { MemberInfo } from '../../src/cluster/types.ts';
import { withMemberPolicies } from '../../src/cluster/sts-members.ts';

const TTL = 30_000;

describe('stsHolds', () => {
  const names = ['mx1.example.com', 'mx2.example.com'];
  it.each([
    ['only the policy server (one-shot view): one TTL from serving', { stsNames: { 'mx1.example.com': 0, 'mx2.example.com': 100_000 } }, 110_000, { 'mx2.example.com': { until: 130_000, waiting: [] } }],
    ['a place that carries it later pushes the deadline', { stsNames: { 'mx1.example.com': 0, 'mx2.example.com': 0 }, stsPlaces: [{ place: 'nameserver', names: { 'mx1.example.com': 0, 'mx2.example.com': 1000 } }, { place: 'route53', names: { 'mx1.example.com': 0, 'mx2.example.com': 50_000 } }] }, 60_000, { 'mx2.example.com': { until: 80_000, waiting: [] } }],
    ['a place that does not carry it: no deadline, and it is named', { stsNames: { 'mx1.example.com': 0, 'mx2.example.com': 0 }, stsPlaces: [{ place: 'nameserver', names: { 'mx1.example.com': 0, 'mx2.example.com': 0 } }, { place: 'cloudflare', names: { 'mx1.example.com': 0 }, error: 'HTTP 403' }] }, 10_000_000, { 'mx2.example.com': { until: Number.POSITIVE_INFINITY, waiting: ['cloudflare'] } }],
    ['everything carried for one TTL: nothing held', { stsNames: { 'mx1.example.com': 0, 'mx2.example.com': 0 }, stsPlaces: [{ place: 'nameserver', names: { 'mx1.example.com': 0, 'mx2.example.com': 0 } }] }, TTL, {}],
  ] as [string, Pick<TransportState, 'stsNames' | 'stsPlaces'>, number, object][])('%s', (_what, state, now, expected) => {
    expect(Object.fromEntries(stsHolds(names, { ...state, ttlMs: TTL }, now))).toEqual(expected);
  });
});

function zone(serial: number, id: string | undefined): DesiredZone {
  const sets = id === undefined ? [] : [{ name: '_mta-sts.example.com', type: 'TXT' as const, ttl: 30, values: [{ data: { type: 'TXT' as const, strings: [`v=STSv1; id=${id}`] } }], source: 'auth' as const }];
  return { zone: 'example.com', serial, sets, notes: [] };
}

describe('StsPlaces', () => {
  it('a place carries the names of the id it serves, keeping since when for names it carried already', () => {
    const book = new StsPlaces();
    book.expect(['nameserver', 'route53'], ['mx1.example.com']);
    expect(book.view()).toEqual([
      { place: 'nameserver', names: { 'mx1.example.com': 0 } },
      { place: 'route53', names: { 'mx1.example.com': 0 } },
    ]);
    book.published(zone(7, 'aaa'), { id: 'aaa', names: ['mx1.example.com', 'mx2.example.com'] });
    expect(book.carried('nameserver', 7, 1000)).toBe(true);
    expect(book.carried('nameserver', 7, 2000)).toBe(false); // the same id again changes nothing
    book.failed('route53', 'HTTP 403', 1500);
    book.failed('route53', 'HTTP 403 again', 2500);
    expect(book.api()).toEqual([
      { place: 'nameserver', id: 'aaa', since: 1000, error: null, failingSince: null },
      { place: 'route53', id: null, since: null, error: 'HTTP 403 again', failingSince: 1500 },
    ]);
    expect(book.carried('route53', 7, 3000)).toBe(true);
    expect(book.view()).toEqual([
      { place: 'nameserver', names: { 'mx1.example.com': 0, 'mx2.example.com': 1000 } },
      { place: 'route53', names: { 'mx1.example.com': 0, 'mx2.example.com': 3000 } },
    ]);
    // a zone of an id not the config's, or not published, is not counted
    expect(book.carried('route53', 99, 4000)).toBe(false);
    book.published(zone(8, 'bbb'), { id: 'ccc', names: [] });
    expect(book.carried('route53', 8, 4000)).toBe(false);
    // a place gone from the config is forgotten; the book survives a restart through toSave
    book.expect(['route53'], []);
    expect(new StsPlaces(book.toSave()).api()).toEqual([{ place: 'route53', id: 'aaa', since: 3000, error: null, failingSince: null }]);
  });

  it('reads the id of a zone', () => {
    expect(stsIdOf(zone(1, 'abc123'))).toBe('abc123');
    expect(stsIdOf(zone(1, undefined))).toBeUndefined();
  });
});

describe('withMemberPolicies (a cluster: every live node serves its own policy)', () => {
  const member = (node: string, stsId?: string): MemberInfo => ({ node, startedAt: 0, http: null, nameserver: [], configDigest: 'x', ...(stsId ? { stsId } : {}) });
  const state: TransportState = { dane: {}, stsNames: { 'mx1.example.com': 0, 'mx3.example.com': 50_000 }, stsPlaces: [{ place: 'nameserver', names: { 'mx1.example.com': 0, 'mx3.example.com': 50_000 } }], ttlMs: TTL };
  const config = parseConfig(`zone: example.com
ttl: 30
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
      - { name: mx3.example.com, address: 192.0.2.3 }
auth:
  mtaSts: { address: 192.0.2.80, https: { certFile: a.pem, keyFile: a.key } }
`);
  const own = mtaStsPolicy(config)?.id as string;

  it('a node still serving another policy (a rolling restart): the agreed id stays, the new name waits for it with no deadline', () => {
    const mixed = withMemberPolicies(state, 'a', [member('a', own), member('b', 'old1d')], 'old1d', own);
    const view = transportView(config, 60_000, mixed);
    expect(view.sets.find((set) => set.name === '_mta-sts.example.com')?.values[0]?.data).toEqual({ type: 'TXT', strings: ['v=STSv1; id=old1d'] });
    expect(Object.fromEntries(view.stsWaiting)).toEqual({ 'mx3.example.com': ['node b'] });
    // once b serves the same policy: the leader's own id, and the hold as for one node
    const agreed = transportView(config, 60_000, withMemberPolicies(state, 'a', [member('a', own), member('b', own)], 'old1d', own));
    expect(agreed.sets.find((set) => set.name === '_mta-sts.example.com')?.values[0]?.data).toEqual({ type: 'TXT', strings: [`v=STSv1; id=${own}`] });
    expect(Object.fromEntries(agreed.heldMx)).toEqual({ 'mx3.example.com': 50_000 + TTL });
  });

  it('a node without a policy server, and a config without MTA-STS, change nothing', () => {
    expect(withMemberPolicies(state, 'a', [member('b')], 'old1d', own)).toBe(state);
    const noSts: TransportState = { dane: {}, stsNames: {}, ttlMs: TTL };
    expect(withMemberPolicies(noSts, 'a', [member('b', 'other')], 'old1d', undefined)).toBe(noSts);
  });
});

describe('heldMxEntries (/api/state)', () => {
  it('one entry per held name: a deadline, or null and the places it waits for', () => {
    const summary = {
      mismatches: {},
      nextChange: 130_000,
      heldMx: { 'mx2.example.com': 130_000, 'mx3.example.com': Number.POSITIVE_INFINITY },
      stsWaiting: { 'mx3.example.com': ['cloudflare'], 'mx4.example.com': ['route53'] },
    } as unknown as DesiredZone['transport'];
    expect(heldMxEntries(summary)).toEqual([
      { host: 'mx2.example.com', until: 130_000, waitingFor: [] },
      { host: 'mx3.example.com', until: null, waitingFor: ['cloudflare'] },
      { host: 'mx4.example.com', until: null, waitingFor: ['route53'] },
    ]);
    expect(heldMxEntries(undefined)).toEqual([]);
  });
});
