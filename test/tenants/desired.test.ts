// PURE: tenant zones from config + health. Each tenant's MX names the healthy hosts of its pools
// under the same rules as the pool's own MX; a health change gives a new version (and serial) only
// to the zones whose MX changed; the SPF default includes auth.spf.sharedName, which publishes the
// outbound addresses in the top-level zone.
import { describe, expect, it } from 'vitest';
import { desired } from '../../src/desired.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { buildTenantParts } from '../../src/tenants/parts.ts';
import { formatRData } from '../../src/dns/rdata.ts';
import type { DesiredZone, RecordSet } from '../../src/model.ts';
import { health } from '../desired/fixtures.ts';
import { ispConfig, ISP_YAML } from './fixtures.ts';

const cfg = ispConfig();
const DAY1 = new Date('2026-12-01T10:00:00Z');
const DAY2 = new Date('2026-12-02T10:00:00Z');

function topAndTenants(states: Record<string, 'healthy' | 'unhealthy' | 'draining' | 'disabled'> = {}, tenants = new TenantZones(cfg), now = DAY1) {
  const top = desired(cfg, health(cfg, states), { serial: 1, now: now.getTime() });
  const changed = tenants.publish(cfg, top.published ?? {}, now);
  return { top, tenants, changed };
}

const set = (zone: DesiredZone | undefined, name: string, type: string): RecordSet | undefined => zone?.sets.find((s) => s.name === name && s.type === type);
const values = (zone: DesiredZone | undefined, name: string, type: string) => (set(zone, name, type)?.values ?? []).map((v) => formatRData(v.data)).sort();

describe('tenant zones', () => {
  it('publish SOA/NS of the nameserver, MX of the pools, SPF including sharedName, DMARC, DKIM and static records', () => {
    const { tenants } = topAndTenants();
    const zone = tenants.get('customer1.example');
    expect(zone?.sets[0]).toMatchObject({ name: 'customer1.example', type: 'SOA' });
    expect(values(zone, 'customer1.example', 'SOA')).toEqual(['ns1.isp.example. hostmaster.isp.example. 2026120100 3600 600 604800 60']);
    expect(values(zone, 'customer1.example', 'NS')).toEqual(['ns1.isp.example.']);
    expect(values(zone, 'customer1.example', 'MX')).toEqual(['10 mx1.isp.example.', '10 mx2.isp.example.', '10 mx3.isp.example.', '10 mx4.isp.example.']);
    expect(values(zone, 'customer1.example', 'TXT')).toEqual(['"site-verification=1"', '"v=spf1 include:_spf.isp.example -all"']);
    expect(values(zone, '_dmarc.customer1.example', 'TXT')).toEqual(['"v=DMARC1; p=reject; rua=mailto:dmarc@customer1.example"']);
    expect(values(zone, 's1._domainkey.customer1.example', 'TXT')).toHaveLength(1);
    expect(values(zone, 'www.customer1.example', 'CNAME')).toEqual(['web.isp.example.']);
    expect(zone?.sets.every((s) => s.name === 'customer1.example' || s.name.endsWith('.customer1.example'))).toBe(true);
  });

  it('the top-level zone publishes the outbound addresses at sharedName', () => {
    const { top } = topAndTenants();
    expect(values(top, '_spf.isp.example', 'TXT')).toEqual(['"v=spf1 ip4:192.0.2.21 ip4:192.0.2.22 -all"']);
    expect(values(top, 'isp.example', 'TXT')).toEqual(['"v=spf1 ip4:192.0.2.21 ip4:192.0.2.22 -all"']);
  });

  it('sharedName follows the apex include chain when the addresses do not fit one record, and stays when SPF is withheld', () => {
    const relays = Array.from({ length: 40 }, (_, i) => `      - { name: r${i}.isp.example, address: 198.51.${i}.7 }`).join('\n');
    const long = ispConfig(ISP_YAML.replace('      - { name: relay2.isp.example, address: 192.0.2.22 }', `      - { name: relay2.isp.example, address: 192.0.2.22 }\n${relays}`));
    const top = desired(long, health(long), { serial: 1, now: 0 });
    expect(values(top, '_spf.isp.example', 'TXT')).toEqual(['"v=spf1 include:_spf1.isp.example -all"']);
    expect(values(top, '_spf1.isp.example', 'TXT')[0]).toMatch(/^"v=spf1 ip4:/);
    // an extra term that breaks SPF: nothing new is published, the previous apex, chain and shared record stay
    const broken = ispConfig(ISP_YAML.replace('sharedName: _spf.isp.example, all: "-all"', 'sharedName: _spf.isp.example, all: "-all", include: [a1.example, a2.example, a3.example, a4.example, a5.example, a6.example, a7.example, a8.example, a9.example, a10.example, a11.example]'));
    const previous = desired(cfg, health(cfg), { serial: 1, now: 0 });
    const kept = desired(broken, health(broken), { serial: 2, now: 0, previous: previous.sets });
    expect(values(kept, '_spf.isp.example', 'TXT')).toEqual(values(previous, '_spf.isp.example', 'TXT'));
    expect(kept.notes.join('\n')).toMatch(/SPF not published/);
  });

  it('a tenant SPF of its own replaces the default; preferences default to the pool\'s; own NS', () => {
    const { tenants } = topAndTenants();
    const two = tenants.get('customer2.example');
    expect(values(two, 'customer2.example', 'TXT')).toEqual(['"v=spf1 include:_spf.isp.example include:spf.mailer.example ~all"']);
    expect(values(two, 'customer2.example', 'MX')).toContain('50 mx9.isp.example.');
    expect(values(two, 'customer2.example', 'MX')).toContain('10 mx1.isp.example.');
    const sub = tenants.get('sub.unrelated.example');
    expect(values(sub, 'sub.unrelated.example', 'NS')).toEqual(['ns.customer-dns.example.']);
  });

  it('every tenant with the same MX spec shares one values list (no per-zone copies)', () => {
    const yaml = ISP_YAML.replace('  - zone: backup-only.example', '  - zone: customer3.example\n    mx: [{ pool: inbound, preference: 10 }]\n  - zone: backup-only.example');
    const config = ispConfig(yaml);
    const top = desired(config, health(config), { serial: 1, now: 0 });
    const tenants = new TenantZones(config);
    tenants.publish(config, top.published ?? {}, DAY1);
    expect(set(tenants.get('customer1.example'), 'customer1.example', 'MX')?.values).toBe(set(tenants.get('customer3.example'), 'customer3.example', 'MX')?.values);
  });

  it('a health change re-publishes only the zones whose pools changed, each with its own next serial', () => {
    const tenants = new TenantZones(cfg);
    const first = topAndTenants({}, tenants);
    expect(first.changed.map((z) => z.zone).sort()).toEqual(['backup-only.example', 'customer1.example', 'customer2.example', 'sub.unrelated.example']);
    expect(topAndTenants({}, tenants).changed).toEqual([]); // same health: nothing new
    const after = topAndTenants({ 'mx2.isp.example': 'unhealthy' }, tenants, DAY1);
    expect(after.changed.map((z) => z.zone).sort()).toEqual(['customer1.example', 'customer2.example', 'sub.unrelated.example']);
    expect(tenants.get('customer1.example')?.serial).toBe(2026120101);
    expect(tenants.get('backup-only.example')?.serial).toBe(2026120100); // uses only the backup pool
    expect(values(tenants.get('customer1.example'), 'customer1.example', 'MX')).not.toContain('10 mx2.isp.example.');
    const soa = values(tenants.get('customer1.example'), 'customer1.example', 'SOA')[0];
    expect(soa).toContain(' 2026120101 ');
    // the next day the serial jumps to that date
    topAndTenants({}, tenants, DAY2);
    expect(tenants.get('customer1.example')?.serial).toBe(2026120200);
  });

  it('a cluster node stamps the serial the leader agreed on the same content, and keeps its own for other content', () => {
    const leader = new TenantZones(cfg);
    topAndTenants({}, leader);
    topAndTenants({ 'mx2.isp.example': 'unhealthy' }, leader);
    const agreed = leader.marks(); // customer1 at ..01, backup-only at ..00
    const node = new TenantZones(cfg);
    const top = desired(cfg, health(cfg, { 'mx2.isp.example': 'unhealthy' }), { serial: 1, now: DAY1.getTime() });
    node.publish(cfg, top.published ?? {}, DAY1); // on its own: its first version, ..00
    expect(node.get('customer1.example')?.serial).toBe(2026120100);
    const changed = node.publish(cfg, top.published ?? {}, DAY1, agreed);
    expect(changed.map((z) => z.zone).sort()).toEqual(['customer1.example', 'customer2.example', 'sub.unrelated.example']);
    expect(node.get('customer1.example')?.serial).toBe(2026120101);
    expect(node.marks()).toEqual(agreed);
    expect(node.publish(cfg, top.published ?? {}, DAY1, agreed)).toEqual([]);
    // the leader's content differs from this node's (another config, other hosts): its serial is not used
    const other = { ...agreed, 'customer1.example': { serial: 2026120199, hash: 'another' } };
    const healthy = desired(cfg, health(cfg), { serial: 1, now: DAY1.getTime() });
    node.publish(cfg, healthy.published ?? {}, DAY1, other);
    expect(node.get('customer1.example')?.serial).toBe(2026120102);
  });

  it('MX follows the pool rules: draining out, whenAllDown all when every host is down, backups only when needed', () => {
    const down = { 'mx1.isp.example': 'unhealthy', 'mx2.isp.example': 'unhealthy', 'mx3.isp.example': 'unhealthy', 'mx4.isp.example': 'unhealthy' } as const;
    const { tenants } = topAndTenants(down);
    // whenAllDown: all (the default) publishes every enabled host rather than nothing
    expect(values(tenants.get('customer1.example'), 'customer1.example', 'MX')).toHaveLength(4);
    const drained = topAndTenants({ 'mx3.isp.example': 'draining', 'mx4.isp.example': 'disabled' }).tenants;
    expect(values(drained.get('customer1.example'), 'customer1.example', 'MX')).toEqual(['10 mx1.isp.example.', '10 mx2.isp.example.']);
    const none = ispConfig(ISP_YAML.replace('mx: { name: isp.example, preference: 50 }', 'mx: { name: isp.example, preference: 50 }\n    whenAllDown: none'));
    const top = desired(none, health(none, { 'mx9.isp.example': 'unhealthy' }), { serial: 1, now: 0 });
    const noneTenants = new TenantZones(none);
    noneTenants.publish(none, top.published ?? {}, DAY1);
    const zone = noneTenants.get('backup-only.example');
    expect(set(zone, 'backup-only.example', 'MX')).toBeUndefined();
    expect(zone?.notes.join('\n')).toMatch(/no MX published/);
  });

  it('keeps serials across a restart when nothing changed (marks from the state file), bumps them when something did', () => {
    const before = topAndTenants().tenants;
    const marks = before.marks();
    const restarted = new TenantZones(cfg, { marks });
    topAndTenants({}, restarted, DAY2);
    expect(restarted.get('customer1.example')?.serial).toBe(2026120100);
    const changed = new TenantZones(cfg, { marks });
    topAndTenants({ 'mx1.isp.example': 'unhealthy' }, changed, DAY2);
    expect(changed.get('customer1.example')?.serial).toBe(2026120200);
    expect(changed.get('backup-only.example')?.serial).toBe(2026120100);
  });

  it('a replaced config keeps the versions of unchanged zones: only the edited tenant gets a new serial', () => {
    const old = topAndTenants().tenants;
    const edited = ispConfig(ISP_YAML.replace('dmarc: { p: reject, rua: ["mailto:dmarc@customer1.example"] }', 'dmarc: { p: quarantine }'));
    const next = new TenantZones(edited, { previous: old });
    const top = desired(edited, health(edited), { serial: 1, now: 0 });
    const changed = next.publish(edited, top.published ?? {}, DAY1);
    expect(changed.map((z) => z.zone)).toEqual(['customer1.example']);
    expect(next.get('customer2.example')).toBe(old.get('customer2.example'));
  });

  it('parts are built once per config and in config order; a tenant SPF that fails its checks is withheld with a note', () => {
    const parts = buildTenantParts(cfg);
    expect(parts.map((p) => p.zone)).toEqual(['customer1.example', 'customer2.example', 'backup-only.example', 'sub.unrelated.example']);
    const many = Array.from({ length: 11 }, (_, i) => `i${i}.example`).join(', ');
    const bad = ispConfig(ISP_YAML.replace('spf: { include: [_spf.isp.example, spf.mailer.example], all: "~all" }', `spf: { include: [${many}] }`));
    const two = buildTenantParts(bad)[1];
    expect(two?.sets.some((s) => s.type === 'TXT')).toBe(false);
    expect(two?.notes.join('\n')).toMatch(/customer2\.example: SPF not published: .*11 DNS lookups/);
  });

  it('without a nameserver (provider-only) a tenant zone has no SOA/NS', () => {
    const noNs = ispConfig(ISP_YAML.replace(/nameserver:\n {2}listen[^\n]*\n {2}ns[^\n]*\n {2}soa[^\n]*\n/, '').replace('    nameserver: { ns: [ns.customer-dns.example] }\n', ''));
    const top = desired(noNs, health(noNs), { serial: 1, now: 0 });
    const tenants = new TenantZones(noNs);
    tenants.publish(noNs, top.published ?? {}, DAY1);
    expect(tenants.get('customer1.example')?.sets.some((s) => s.type === 'SOA' || s.type === 'NS')).toBe(false);
    expect(values(tenants.get('customer1.example'), 'customer1.example', 'MX')).toHaveLength(4);
  });
});
