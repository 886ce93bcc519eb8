// PURE (and temp files): what a reload of 10,000 tenants reuses from the config it replaces. A tenant
// file not touched since it parsed cleanly is not parsed again; a tenant whose settings did not change
// keeps its zone parts. Reuse must never hide a change: an edited, added, removed or broken file is
// read again, and a change of a shared input (ttl, the nameserver's SOA/NS, a pool's preference,
// sharedName) rebuilds every tenant's parts — the result always equals a build from scratch.
import { describe, expect, it } from 'vitest';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RACY_MS, readTenantFiles } from '../../src/config/tenants-from.ts';
import { buildTenantParts } from '../../src/tenants/parts.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { desired } from '../../src/desired.ts';
import { health } from '../desired/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { ispConfig, ISP_YAML } from './fixtures.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 2 * RACY_MS));
const tenantFile = (zone: string, policy: string) => `zone: ${zone}\nmx: [{ pool: inbound }]\ndmarc: { p: ${policy} }\n`;

describe('a reload reuses what did not change', () => {
  it('tenant files: an untouched file is not parsed again; edited, added, removed and broken ones are', async () => {
    const folder = tempDir('mxpool-tenant-cache-');
    writeFileSync(join(folder, 'a.example.yaml'), tenantFile('a.example', 'none'));
    writeFileSync(join(folder, 'b.example.yaml'), tenantFile('b.example', 'none'));
    // a file changed less than RACY_MS before it is read is parsed again next time (its timestamps
    // could still be those of the next write); once it has settled, it is remembered
    const changed = Math.max(statSync(join(folder, 'a.example.yaml')).ctimeMs, statSync(join(folder, 'b.example.yaml')).ctimeMs);
    const fresh = readTenantFiles(folder, { now: () => changed + RACY_MS / 2 });
    expect(readTenantFiles(folder, { now: () => changed + RACY_MS / 2 }).sources[0]!.plain).not.toBe(fresh.sources[0]!.plain);
    await settle();
    const first = readTenantFiles(folder);
    expect(first.problems).toEqual([]);

    const again = readTenantFiles(folder);
    expect(again.sources.map((s) => s.plain)).toEqual(first.sources.map((s) => s.plain));
    expect(again.sources[0]!.plain).toBe(first.sources[0]!.plain); // the same object: not parsed again
    expect(again.sources[1]!.plain).toBe(first.sources[1]!.plain);

    writeFileSync(join(folder, 'b.example.yaml'), tenantFile('b.example', 'quarantine'));
    writeFileSync(join(folder, 'c.example.yaml'), tenantFile('c.example', 'reject'));
    await settle();
    const edited = readTenantFiles(folder);
    expect(edited.sources.map((s) => s.plain)).toEqual([
      { zone: 'a.example', mx: [{ pool: 'inbound' }], dmarc: { p: 'none' } },
      { zone: 'b.example', mx: [{ pool: 'inbound' }], dmarc: { p: 'quarantine' } },
      { zone: 'c.example', mx: [{ pool: 'inbound' }], dmarc: { p: 'reject' } },
    ]);
    expect(edited.sources[0]!.plain).toBe(first.sources[0]!.plain);

    // a mistake is found on every read (a broken file is never remembered), with its position
    writeFileSync(join(folder, 'b.example.yaml'), 'zone: b.example\nmx: [{ pool: inbound }\n');
    rmSync(join(folder, 'c.example.yaml'));
    for (let i = 0; i < 2; i++) {
      const broken = readTenantFiles(folder);
      expect(broken.sources.map((s) => s.file)).toEqual([join(folder, 'a.example.yaml'), join(folder, 'b.example.yaml')]);
      expect(broken.problems).toHaveLength(1);
      expect(broken.problems[0]).toMatchObject({ file: join(folder, 'b.example.yaml'), line: 3, path: 'mx' }); // the unclosed [ found at the end
    }
    // fixed with the same text as before the mistake: parsed again, not taken from before
    writeFileSync(join(folder, 'b.example.yaml'), tenantFile('b.example', 'quarantine'));
    const fixed = readTenantFiles(folder);
    expect(fixed.problems).toEqual([]);
    expect(fixed.sources[1]!.plain).toEqual({ zone: 'b.example', mx: [{ pool: 'inbound' }], dmarc: { p: 'quarantine' } });
  });

  it('zone parts: unchanged tenants keep theirs, an edited tenant gets new ones; a shared input rebuilds all', () => {
    const before = ispConfig();
    const parts = buildTenantParts(before);
    const edited = ispConfig(ISP_YAML.replace('dmarc: { p: reject, rua: ["mailto:dmarc@customer1.example"] }', 'dmarc: { p: none }'));
    const reused = buildTenantParts(edited, { config: before, parts });
    expect(reused).toEqual(buildTenantParts(edited)); // the same as from scratch
    expect(reused[0]).not.toBe(parts[0]); // customer1: edited
    expect(reused[0]!.hash).not.toBe(parts[0]!.hash);
    for (const i of [1, 2, 3]) expect(reused[i]).toBe(parts[i]);

    for (const shared of [
      ISP_YAML.replace('ttl: 30', 'ttl: 60'),
      ISP_YAML.replace('rname: hostmaster.isp.example', 'rname: dns.isp.example'),
      ISP_YAML.replace('mx: { name: isp.example, preference: 50 }', 'mx: { name: isp.example, preference: 40 }'),
      ISP_YAML.replace('sharedName: _spf.isp.example', 'sharedName: _spf2.isp.example').replaceAll('include: [_spf.isp.example', 'include: [_spf2.isp.example'),
    ]) {
      const next = ispConfig(shared);
      const rebuilt = buildTenantParts(next, { config: before, parts });
      expect(rebuilt).toEqual(buildTenantParts(next));
      expect(rebuilt.some((p, i) => p.hash !== parts[i]!.hash)).toBe(true);
      rebuilt.forEach((p, i) => expect(p).not.toBe(parts[i]));
    }
  });

  it('a tenant with an SOA of its own keeps it across a reload; the others have the nameserver\'s', () => {
    const own = ISP_YAML.replace('    nameserver: { ns: [ns.customer-dns.example] }', '    nameserver: { ns: [ns.customer-dns.example], soa: { mname: ns.customer-dns.example, rname: dns.customer-dns.example, minimum: 300 } }');
    const before = ispConfig(own);
    const parts = buildTenantParts(before);
    const soaOf = (zone: string, list = parts) => list.find((p) => p.zone === zone)?.soa?.values[0]?.data;
    expect(soaOf('sub.unrelated.example')).toMatchObject({ type: 'SOA', mname: 'ns.customer-dns.example', rname: 'dns.customer-dns.example', minimum: 300 });
    expect(soaOf('customer1.example')).toMatchObject({ type: 'SOA', mname: 'ns1.isp.example', rname: 'hostmaster.isp.example', minimum: 60 });
    // the nameserver's SOA changes: every tenant without its own follows, the one with its own does not
    const next = ispConfig(own.replace('rname: hostmaster.isp.example', 'rname: dns.isp.example'));
    const rebuilt = buildTenantParts(next, { config: before, parts });
    expect(soaOf('customer1.example', rebuilt)).toMatchObject({ rname: 'dns.isp.example' });
    expect(soaOf('sub.unrelated.example', rebuilt)).toMatchObject({ rname: 'dns.customer-dns.example' });
  });

  it('TenantZones built over the one it replaces: only the edited zone gets a new version', () => {
    const before = ispConfig();
    const old = new TenantZones(before);
    const published = desired(before, health(before, {}), { serial: 1, now: 0 }).published ?? {};
    old.publish(before, published, new Date('2026-12-01T10:00:00Z'));
    const edited = ispConfig(ISP_YAML.replace('dmarc: { p: reject, rua: ["mailto:dmarc@customer1.example"] }', 'dmarc: { p: none }'));
    const next = new TenantZones(edited, { previous: old });
    expect(next.built().parts[1]).toBe(old.built().parts[1]);
    const changed = next.publish(edited, published, new Date('2026-12-01T10:00:01Z'));
    expect(changed.map((zone) => zone.zone)).toEqual(['customer1.example']);
  });
});
