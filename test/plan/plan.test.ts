import { describe, expect, it } from 'vitest';
import { makePlan, poolRecordKeys, renderPlanText, adaptToTarget, type CurrentSet, type PlanInput } from '../../src/plan/index.ts';
import type { RecordSet } from '../../src/model.ts';
import { parseConfig } from '../../src/config/load.ts';
import { CLOUDFLARE_CAPS, ROUTE53_CAPS, hostA, mx, owned, poolA, txt } from './sets.ts';

const POOLS = new Map([['smtp.example.com/A', 'outbound'], ['example.com/MX', 'inbound']]);

function plan(current: CurrentSet[], desired: RecordSet[], extra: Partial<PlanInput> = {}) {
  return makePlan({ provider: 'route53', capabilities: ROUTE53_CAPS, current, desired, ownerId: 'mxpool', maxDeletePercent: 30, poolKeys: POOLS, force: false, ...extra });
}

// Unadapted desired sets as the adapter hands them to the diff for Route 53 (MX keeps no weight).
function asRoute53(sets: RecordSet[]): CurrentSet[] {
  return adaptToTarget('route53', sets, ROUTE53_CAPS).sets.map((s) => owned(s));
}

const relays = poolA('smtp.example.com', [['relay1.example.com', '192.0.2.20', 3], ['relay2.example.com', '192.0.2.21', 1]]);
const inbound = mx('example.com', ['mx1.example.com', 'mx2.example.com']);
const spf = txt('example.com', 'v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 -all');

describe('makePlan: diff and ownership', () => {
  it('creates everything in an empty zone and keeps SOA/NS and static records out of cloud zones', () => {
    const soa: RecordSet = { name: 'example.com', type: 'NS', ttl: 3600, source: 'zone', values: [{ data: { type: 'NS', target: 'ns1.example.com' } }] };
    const www = txt('www.example.com', 'hello', 'static');
    const p = plan([], [relays, inbound, spf, soa, www]);
    expect(p.changes.map((c) => `${c.kind} ${c.kind === 'delete' ? c.before.name : c.after.name}/${c.kind === 'delete' ? c.before.type : c.after.type}`)).toEqual([
      'create smtp.example.com/A', 'create example.com/MX', 'create example.com/TXT',
    ]);
    expect(p.refused).toBeUndefined();
  });

  it('has no changes when the target already matches', () => {
    const p = plan(asRoute53([relays, inbound, spf]), [relays, inbound, spf]);
    expect(p.changes).toEqual([]);
    expect(renderPlanText(p)).toContain('route53: no changes');
  });

  it('updates a pool set when a host goes down, naming the removed value', () => {
    const down = poolA('smtp.example.com', [['relay1.example.com', '192.0.2.20', 3]]);
    const p = plan(asRoute53([relays, inbound, spf]), [down, inbound, spf]);
    expect(p.changes).toHaveLength(1);
    expect(p.changes[0]?.kind).toBe('update');
    expect(renderPlanText(p)).toMatch(/~ update smtp\.example\.com A ttl 30\n\s+- 192\.0\.2\.21 \(weight 1, host relay2\.example\.com\)/);
  });

  it('updates when only a weight changes on a weighted target', () => {
    const reweighted = poolA('smtp.example.com', [['relay1.example.com', '192.0.2.20', 5], ['relay2.example.com', '192.0.2.21', 1]]);
    expect(plan(asRoute53([relays]), [reweighted]).changes).toHaveLength(1);
  });

  it('restores an owned record edited by hand (drift)', () => {
    const edited = { ...owned(txt('example.com', 'v=spf1 +all')) };
    const p = plan([edited], [spf]);
    expect(p.changes).toEqual([{ kind: 'update', before: edited, after: expect.objectContaining({ name: 'example.com', type: 'TXT' }) }]);
  });

  it('deletes only what it owns and leaves foreign records alone', () => {
    const foreign: CurrentSet = hostA('www.example.com', '198.51.100.1');
    const otherInstance: CurrentSet = { ...hostA('old.example.com', '198.51.100.2'), owner: 'someone-else' };
    const stale = owned(hostA('mx9.example.com', '192.0.2.99'));
    const p = plan([foreign, otherInstance, stale, ...asRoute53([relays])], [relays]);
    expect(p.changes).toEqual([{ kind: 'delete', before: stale }]);
    expect(p.summary.foreignSets).toBe(2);
  });

  it('refuses to take over a record someone else made, and reports the conflict', () => {
    const handMade: CurrentSet = mx('example.com', ['legacy.example.net']);
    const p = plan([handMade], [inbound]);
    expect(p.changes).toEqual([]);
    expect(p.conflicts).toHaveLength(1);
    expect(p.conflicts[0]?.message).toContain('example.com/MX exists and is not made by mxpool');
    const other = plan([{ ...handMade, owner: 'blue' }], [inbound]);
    expect(other.conflicts[0]?.owner).toBe('blue');
  });

  it('adds its SPF next to an unrelated TXT record where values coexist (Cloudflare), not over another SPF', () => {
    const verification: CurrentSet = txt('example.com', 'google-site-verification=abc');
    const theirSpf: CurrentSet = txt('example.com', 'v=spf1 include:_spf.example.net -all');
    const cf = { provider: 'cloudflare', capabilities: CLOUDFLARE_CAPS };
    expect(plan([verification], [spf], cf).changes.map((c) => c.kind)).toEqual(['create']);
    expect(plan([verification, theirSpf], [spf], cf).conflicts).toHaveLength(1);
    // Route 53 has one TXT record set per name: a foreign one blocks.
    expect(plan([verification], [spf]).conflicts).toHaveLength(1);
  });
});

describe('makePlan: capabilities', () => {
  it('Cloudflare: weights dropped with one warning, standby hosts left out, TTL raised to 60 with a warning', () => {
    const withStandby = poolA('smtp.example.com', [['relay1.example.com', '192.0.2.20', 3], ['relay2.example.com', '192.0.2.21', 0]]);
    const p = plan([], [withStandby, poolA('relay.example.com', [['r', '192.0.2.30', 2]]), spf], { provider: 'cloudflare', capabilities: CLOUDFLARE_CAPS });
    expect(p.warnings.filter((w) => w.includes('weights ignored'))).toHaveLength(1);
    expect(p.warnings).toContain('cloudflare accepts no TTL below 60s: TTL 30s raised to 60s on 3 record set(s)');
    const created = p.changes.map((c) => (c.kind === 'create' ? c.after : undefined));
    expect(created[0]?.values).toEqual([{ data: { type: 'A', address: '192.0.2.20' }, host: 'relay1.example.com' }]);
    expect(created.every((s) => s?.ttl === 60)).toBe(true);
  });

  it('splits TXT strings longer than the target takes', () => {
    const long = txt('s1._domainkey.example.com', `v=DKIM1; k=rsa; p=${'A'.repeat(400)}`);
    const adapted = adaptToTarget('route53', [long], ROUTE53_CAPS).sets[0];
    const data = adapted?.values[0]?.data;
    expect(data?.type === 'TXT' && data.strings.map((s) => s.length)).toEqual([255, 163]);
  });
});

describe('makePlan: safety', () => {
  const hosts = Array.from({ length: 29 }, (_, i) => owned(hostA(`h${i}.example.com`, `192.0.2.${i + 1}`)));

  it('refuses deleting over 30% of 10+ owned records, with the numbers', () => {
    const p = plan(hosts, hosts.slice(12));
    expect(p.refused).toBe('route53: would delete 12 of 29 owned records (41%), over the 30% limit; --force to apply');
    expect(renderPlanText(p)).toContain('x refused: route53: would delete 12 of 29');
  });

  it('allows it at or under the limit, and when forced', () => {
    expect(plan(hosts, hosts.slice(8)).refused).toBeUndefined();
    const forced = plan(hosts, hosts.slice(12), { force: true });
    expect(forced.refused).toBeUndefined();
    expect(forced.warnings[0]).toContain('forced past the safety check: would delete 12 of 29');
  });

  it('does not apply the percentage below 10 owned records', () => {
    expect(plan(hosts.slice(0, 9), []).refused).toBeUndefined();
  });

  it('refuses emptying a pool even when small', () => {
    const p = plan(asRoute53([relays]), []);
    expect(p.refused).toBe('route53: would empty pool outbound (smtp.example.com/A: 2 records); --force to apply');
  });
});

describe('poolRecordKeys', () => {
  it('maps pool hostnames and MX names to their pool', () => {
    const config = parseConfig([
      'zone: example.com',
      'pools:',
      '  - { name: in, role: inbound, mx: { name: example.com }, hosts: [ { name: mx1.example.com, address: 192.0.2.1 } ] }',
      '  - { name: out, role: outbound, hostname: smtp.example.com, hosts: [ { name: r1.example.com, address: 192.0.2.2 } ] }',
    ].join('\n'));
    expect(Object.fromEntries(poolRecordKeys(config))).toEqual({ 'example.com/MX': 'in', 'smtp.example.com/A': 'out', 'smtp.example.com/AAAA': 'out' });
  });
});

describe('makePlan: a withheld SPF (failed its checks) keeps what the target holds', () => {
  const chainHead = txt('example.com', 'v=spf1 include:_spf1.example.com -all');
  const chain1 = txt('_spf1.example.com', 'v=spf1 ip4:192.0.2.0/24 -all');
  const dmarc = txt('_dmarc.example.com', 'v=DMARC1; p=reject');

  it('keeps the apex SPF and the _spfN chain it owns, changes the rest', () => {
    const current = asRoute53([relays, chainHead, chain1, dmarc]);
    const down = poolA('smtp.example.com', [['relay1.example.com', '192.0.2.20', 3]]);
    const p = plan(current, [down, dmarc], { keepCurrentSpf: 'example.com' });
    expect(p.changes.map((c) => `${c.kind} ${c.kind === 'delete' ? c.before.name : c.after.name}`)).toEqual(['update smtp.example.com']);
    expect(p.warnings).toContain('the desired SPF failed its checks: keeping the SPF route53 holds (2 record set(s)) as it is');
    // without the flag the same desired sets would delete both SPF records
    const unsafe = plan(current, [down, dmarc]);
    expect(unsafe.changes.filter((c) => c.kind === 'delete').map((c) => c.kind === 'delete' && c.before.name)).toEqual(['example.com', '_spf1.example.com']);
  });

  it('never keeps an SPF it does not own, and says when there is none to keep', () => {
    const foreign: CurrentSet = { ...chainHead, owner: 'someone-else' };
    const p = plan([foreign], [], { keepCurrentSpf: 'example.com' });
    expect(p.changes).toEqual([]);
    expect(p.warnings).toContain("the desired SPF failed its checks and route53 holds no SPF of mxpool's: none is created");
  });
});
