// PURE: what a reload changes — hosts kept, added, removed (a new address or port is a new host),
// the keys only a restart can change, and the changes in words.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { describeChanges, describeRestartChange, hostChanges, restartChanges, tenantChanges } from '../../src/config/diff.ts';

const base = {
  zone: 'example.com',
  pools: `
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
      - { name: mx2.example.com, address: 192.0.2.2 }
  - name: relays
    role: outbound
    hosts:
      - { name: relay1.example.com, address: 192.0.2.11 }`,
  rest: `
probe: { interval: 5s, timeout: 1s }
nameserver: { listen: ["127.0.0.1:5353"], ns: [ns1.example.com], soa: { mname: ns1.example.com, rname: hostmaster.example.com } }
http: { listen: "127.0.0.1:8053" }`,
};

function config(overrides: Partial<typeof base> = {}) {
  const parts = { ...base, ...overrides };
  return parseConfig(`zone: ${parts.zone}\npools:${parts.pools}\n${parts.rest}\n`);
}

const names = (refs: Array<{ name: string; address: string }>) => refs.map((ref) => `${ref.name}@${ref.address}`).sort();

describe('hostChanges', () => {
  it('keys hosts by name; a new address or port is a new endpoint (removed + added)', () => {
    const next = config({
      pools: base.pools
        .replace('{ name: mx2.example.com, address: 192.0.2.2 }', '{ name: mx2.example.com, address: 192.0.2.2, port: 2525 }')
        .replace('{ name: relay1.example.com, address: 192.0.2.11 }', '{ name: relay1.example.com, address: 192.0.2.12 }\n      - { name: relay3.example.com, address: 192.0.2.13 }')
        .replace('      - { name: mx1.example.com, address: 192.0.2.1 }\n', ''),
    });
    const changes = hostChanges(config(), next);
    expect(names(changes.kept)).toEqual([]);
    expect(names(changes.added)).toEqual(['mx2.example.com@192.0.2.2', 'relay1.example.com@192.0.2.12', 'relay3.example.com@192.0.2.13']);
    expect(names(changes.removed)).toEqual(['mx1.example.com@192.0.2.1', 'mx2.example.com@192.0.2.2', 'relay1.example.com@192.0.2.11']);
  });

  it('a host moved to another pool, reweighted or disabled stays the same host', () => {
    const next = config({
      pools: base.pools.replace('{ name: mx2.example.com, address: 192.0.2.2 }', '{ name: mx2.example.com, address: 192.0.2.2, weight: 5, disabled: true }'),
    });
    const changes = hostChanges(config(), next);
    expect(names(changes.kept)).toEqual(['mx1.example.com@192.0.2.1', 'mx2.example.com@192.0.2.2', 'relay1.example.com@192.0.2.11']);
    expect(changes.added).toEqual([]);
    expect(changes.removed).toEqual([]);
    expect(describeChanges(config(), next)).toEqual(['host mx2.example.com: weight 1 -> 5', 'host mx2.example.com: disabled (out of DNS now, out of SPF after 2 x ttl)']);
  });
});

describe('restartChanges: what a reload refuses', () => {
  const cases: Array<[string, Partial<typeof base>, string[]]> = [
    ['nothing', {}, []],
    ['probe, pools and auth apply live', { rest: base.rest.replace('interval: 5s', 'interval: 2s') + '\nauth: { dmarc: { p: reject } }\nttl: 60' }, []],
    ['transfer and soa apply live', { rest: base.rest.replace('rname: hostmaster.example.com }', 'rname: hostmaster.example.com }, transfer: { notify: ["127.0.0.1:5354"] }') }, []],
    ['the zone', { zone: 'example.net', pools: base.pools.replaceAll('example.com', 'example.net') }, ['zone']],
    ['nameserver.listen', { rest: base.rest.replace('["127.0.0.1:5353"]', '["127.0.0.1:5354"]') }, ['nameserver.listen']],
    ['nameserver.workers', { rest: base.rest.replace('ns: [ns1', 'workers: 2, ns: [ns1') }, ['nameserver.workers']],
    ['nameserver.tsig (secrets read at start)', { rest: base.rest.replace('ns: [ns1', 'tsig: [{ name: xfr, algorithm: hmac-sha256, secretEnv: MXPOOL_TSIG }], ns: [ns1') }, ['nameserver.tsig']],
    ['nameserver.journal', { rest: base.rest.replace('ns: [ns1', 'journal: { maxVersions: 5 }, ns: [ns1') }, ['nameserver.journal']],
    ['the nameserver section removed', { rest: base.rest.replace(/nameserver: .*\n/, '') }, ['nameserver']],
    ['http.listen and stateDir', { rest: base.rest.replace('8053', '8054') + '\nstateDir: /var/lib/mxpool' }, ['stateDir', 'http.listen']],
    ['http.tokenEnv', { rest: base.rest.replace('listen: "127.0.0.1:8053"', 'listen: "127.0.0.1:8053", tokenEnv: MXPOOL_TOKEN') }, ['http.tokenEnv']],
    ['the http section removed', { rest: base.rest.replace(/http: .*$/, '') }, ['http']],
    ['a cluster added', { rest: `${base.rest}\ncluster: { etcd: { endpoints: ["http://127.0.0.1:2379"] } }` }, ['cluster']],
  ];
  it.each(cases)('%s', (_what, overrides, paths) => {
    expect(restartChanges(config(), config(overrides)).map((change) => change.path)).toEqual(paths);
  });

  it('says what changed, why a reload cannot apply it, and what to do', () => {
    const [change] = restartChanges(config(), config({ rest: base.rest.replace('["127.0.0.1:5353"]', '["127.0.0.1:5354"]') }));
    expect(describeRestartChange(change!)).toBe('changed from ["127.0.0.1:5353"] to ["127.0.0.1:5354"], which a reload cannot apply (the DNS sockets are bound at start-up): put the old value back, or restart serve to use it');
  });
});

describe('describeChanges', () => {
  it('pools and hosts first, in words; other keys as path: before -> after; long values summarised', () => {
    const next = config({
      pools: `${base.pools}
  - name: backup
    role: inbound
    mx: { name: example.com, preference: 20 }
    hosts:
      - { name: mx9.example.com, address: 192.0.2.9 }`.replace('      - { name: mx1.example.com, address: 192.0.2.1 }\n', ''),
      rest: `${base.rest.replace('interval: 5s', 'interval: 2s')}\nauth: { dkim: [{ selector: s1, key: "v=DKIM1; k=rsa; p=${'A'.repeat(200)}" }] }`,
    });
    expect(describeChanges(config(), next)).toEqual([
      'pool backup added (inbound, 1 host)',
      'host mx9.example.com added to pool backup (probed before it is published)',
      'host mx1.example.com removed from pool inbound',
      'auth.dkim: [] -> (1 entry)',
      'probe.interval: 5000 ms -> 2000 ms',
    ]);
  });

  it('no change: no lines', () => {
    expect(describeChanges(config(), config())).toEqual([]);
  });
});

describe('tenantChanges', () => {
  const withTenants = (tenants: string) => parseConfig(`zone: example.com\npools:${base.pools}\n${base.rest}\ntenants:\n${tenants}\n`);
  it('names tenant zones added, removed and changed; many are counted, not listed', () => {
    const before = withTenants('  - { zone: a.example, mx: [{ pool: inbound }] }\n  - { zone: b.example, mx: [{ pool: inbound }] }');
    const after = withTenants('  - { zone: a.example, mx: [{ pool: inbound, preference: 20 }] }\n  - { zone: c.example, mx: [{ pool: inbound }] }');
    expect(tenantChanges(before, after)).toEqual({ added: ['c.example'], removed: ['b.example'], changed: ['a.example'] });
    expect(describeChanges(before, after)).toEqual(['tenant zone c.example added', 'tenant zone b.example removed (no longer served: REFUSED)', 'tenant zone a.example changed']);
    const many = withTenants(Array.from({ length: 12 }, (_, i) => `  - { zone: t${i}.example, mx: [{ pool: inbound }] }`).join('\n'));
    expect(describeChanges(before, many)[0]).toBe('12 tenant zones added: t0.example, t1.example, t2.example, t3.example, t4.example, t5.example, t6.example, t7.example, t8.example, t9.example and 2 more');
  });
});
