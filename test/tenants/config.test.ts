// The config of tenants: inline tenants: and the files of tenantsFrom:, every mistake at
// FILE:LINE:COL — inside the tenant file when it is one — and the rules across zones: a zone given
// twice, a tenant inside another tenant or overlapping the top-level zone, an unknown or outbound
// pool, a provider zone synced from two zones. `validate` runs for real on one broken folder.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { MAX_TENANT_FILE_BYTES } from '../../src/config/tenants-from.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { describeChanges, restartChanges, tenantChanges } from '../../src/config/diff.ts';
import { ISP_YAML } from './fixtures.ts';

const run = promisify(execFile);

/** A config folder: mxpool.yaml (ISP_YAML + `extra`) and tenants.d/<name> files. */
function folder(files: Record<string, string>, extra = 'tenantsFrom: tenants.d\n', base = ISP_YAML): string {
  const dir = tempDir('mxpool-tenants-');
  mkdirSync(join(dir, 'tenants.d'));
  writeFileSync(join(dir, 'mxpool.yaml'), `${base}${extra}`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'tenants.d', name), text);
  return dir;
}

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('tenants in the config', () => {
  it('every current config stays valid and means the same: no tenants, no sharedName', () => {
    const plain = parseConfig(ISP_YAML.replace(/tenants:[\s\S]*$/, '').replace('sharedName: _spf.isp.example, ', ''), 'plain.yaml');
    expect(plain.tenants).toEqual([]);
    expect(plain.tenantsFrom).toBeUndefined();
    expect(plain.auth.spf).toEqual({ include: [], extra: [], all: '-all' });
  });

  it('appends the tenant files (name order, *.yaml and *.yml, hidden files skipped) after the inline tenants', () => {
    const dir = folder({
      'b.yaml': 'zone: b-customer.example\nmx: [{ pool: inbound }]\n',
      'a.yml': 'zone: a-customer.example\n',
      '.#a.yaml': 'not: a tenant\n',
      'notes.txt': 'ignored',
    });
    const config = loadConfig(join(dir, 'mxpool.yaml'));
    expect(config.tenants.map((t) => t.zone)).toEqual(['customer1.example', 'customer2.example', 'backup-only.example', 'sub.unrelated.example', 'a-customer.example', 'b-customer.example']);
    expect(config.tenants[5]?.mx).toEqual([{ pool: 'inbound' }]);
    expect(Object.isFrozen(config.tenants[5])).toBe(true);
  });

  it('points into the tenant file: schema mistakes, unknown keys, YAML syntax, an empty file', () => {
    const dir = folder({
      'c1.yaml': 'zone: c1.example\nmx:\n  - { pool: inbound, preference: high }\ndmarc: { p: reject, ruaa: [] }\n',
      'c2.yaml': 'zone: c2.example\nmx: [{ pool: inbound }\n',
      'c3.yaml': '',
      'c4.yaml': 'zone: c4.example\nproviders: { cloudflare: { zoneId: abc, token: s3cr3t } }\n',
    });
    const file = (name: string) => join(dir, 'tenants.d', name);
    expect(problems(() => loadConfig(join(dir, 'mxpool.yaml')))).toEqual([
      `${file('c1.yaml')}:3:34: mx.0.preference: an MX preference, a whole number 0..65535 (got the string "high")`,
      `${file('c1.yaml')}:4:21: dmarc.ruaa: a known key (ruaa is not one; did you mean rua or ruf?)`,
      expect.stringMatching(new RegExp(`^${file('c2.yaml')}:\\d+:\\d+: .*valid YAML`)),
      `${file('c3.yaml')}:1:1: (document): a tenant mapping with at least zone: (the file is empty)`,
      expect.stringMatching(new RegExp(`^${file('c4.yaml')}:2:41: providers.cloudflare.token: no secret in the config file`)),
    ]);
  });

  it('refuses a zone given twice, overlapping zones, unknown and outbound pools — naming the other tenant\'s file', () => {
    const dir = folder({
      'dup.yaml': 'zone: customer1.example\n',
      'inner.yaml': 'zone: shop.customer2.example\n',
      'mine.yaml': 'zone: mail.isp.example\n',
      'outer.yaml': 'zone: isp.example\n',
      'parent.yaml': 'zone: example\n',
      'pools.yaml': 'zone: pools.example\nmx: [{ pool: nosuch }, { pool: outbound }, { pool: inbound }, { pool: inbound }]\n',
      'x1.yaml': 'zone: same.example\n',
      'x2.yaml': 'zone: same.example\n',
    });
    const file = (name: string) => join(dir, 'tenants.d', name);
    const found = problems(() => loadConfig(join(dir, 'mxpool.yaml')));
    expect(found).toEqual([
      `${file('dup.yaml')}:1:7: zone: a zone given once (customer1.example is already tenants.0)`,
      `${file('inner.yaml')}:1:7: zone: a zone not inside another tenant's zone (shop.customer2.example is inside customer2.example, tenants.1; each name is answered from one zone)`,
      `${file('mine.yaml')}:1:7: zone: a zone outside the top-level zone isp.example (mail.isp.example is inside it: put its records under records: instead)`,
      `${file('outer.yaml')}:1:7: zone: a customer zone other than the top-level zone isp.example (its records come from pools:, auth: and records:)`,
      `${file('parent.yaml')}:1:7: zone: a zone that does not enclose the top-level zone isp.example (each name is answered from one zone)`,
      `${file('pools.yaml')}:2:14: mx.0.pool: the name of an inbound pool (no pool is named nosuch; pools: inbound, backup, outbound)`,
      `${file('pools.yaml')}:2:32: mx.1.pool: an inbound pool (outbound is an outbound relay pool; MX names receiving hosts)`,
      `${file('pools.yaml')}:2:71: mx.3.pool: a pool listed once (inbound is already mx.2)`,
      `${file('x2.yaml')}:1:7: zone: a zone given once (same.example is already ${file('x1.yaml')})`,
    ]);
  });

  it('checks tenant records inside their zone, DKIM selectors once, one provider zone per zone, sharedName below the zone', () => {
    const yaml = `${ISP_YAML.replace('sharedName: _spf.isp.example', 'sharedName: _spf.elsewhere.example')}providers: { route53: { hostedZoneId: ZTOP } }
  - zone: more.example
    mx: [{ pool: inbound }]
    records: [{ name: www.other.example, type: A, value: 192.0.2.1 }, { name: more.example, type: MX, value: "5 mx.elsewhere.example." }, { name: more.example, type: CNAME, value: x.example. }]
    dkim: [{ selector: s1, key: a }, { selector: S1, key: b }]
    providers: { route53: { hostedZoneId: ZTOP }, cloudflare: { zoneId: abc } }
  - zone: again.example
    providers: { cloudflare: { zoneId: abc } }
`.replace('providers: { route53: { hostedZoneId: ZTOP } }\n  - zone: more', 'providers: { route53: { hostedZoneId: ZTOP } }\ntenants2:\n  - zone: more');
    // keep one tenants: list: move the top-level providers above it
    const fixed = yaml.replace('tenants:\n', 'providers: { route53: { hostedZoneId: ZTOP } }\ntenants:\n').replace(/providers: \{ route53: \{ hostedZoneId: ZTOP \} \}\ntenants2:\n/, '');
    expect(problems(() => parseConfig(fixed, 'isp.yaml'))).toEqual([
      expect.stringMatching(/^isp\.yaml:\d+:\d+: auth\.spf\.sharedName: a name below zone isp\.example, such as _spf\.isp\.example \(_spf\.elsewhere\.example is outside it\)$/),
      expect.stringMatching(/^isp\.yaml:\d+:\d+: tenants\.4\.records\.0\.name: a name inside zone more\.example$/),
      expect.stringMatching(/^isp\.yaml:\d+:\d+: tenants\.4\.records\.1\.type: no static MX at more\.example/),
      expect.stringMatching(/^isp\.yaml:\d+:\d+: tenants\.4\.records\.2\.type: no CNAME at the zone apex more\.example/),
      expect.stringMatching(/^isp\.yaml:\d+:\d+: tenants\.4\.dkim\.1\.selector: a selector used once \(s1 is already dkim\.0\)$/),
      expect.stringMatching(/^isp\.yaml:\d+:\d+: tenants\.4\.providers\.route53\.hostedZoneId: a route53 zone synced from one zone only \(ZTOP is already the zone of isp\.example\)$/),
      expect.stringMatching(/^isp\.yaml:\d+:\d+: tenants\.5\.providers\.cloudflare\.zoneId: a cloudflare zone synced from one zone only \(abc is already the zone of more\.example\)$/),
    ]);
  });

  it('bounds the folder: missing, a file, an oversized tenant file', () => {
    expect(problems(() => parseConfig(`${ISP_YAML}tenantsFrom: nowhere.d\n`, join(tempDir('mxpool-tenants-'), 'x.yaml')))).toEqual([
      expect.stringMatching(/x\.yaml:\d+:14: tenantsFrom: a folder of tenant files \(.*nowhere\.d does not exist\)$/),
    ]);
    const big = `zone: big.example\n# ${'x'.repeat(MAX_TENANT_FILE_BYTES)}\n`;
    const dir = folder({ 'big.yaml': big });
    expect(problems(() => loadConfig(join(dir, 'mxpool.yaml')))).toEqual([
      `${join(dir, 'tenants.d', 'big.yaml')}:1:1: (document): a readable YAML tenant file (${big.length} bytes is far too large; at most ${MAX_TENANT_FILE_BYTES})`,
    ]);
  });

  it('mxpool validate prints the tenant file positions and exits 1; a good folder is valid and counted', async () => {
    const bad = folder({ 'c1.yaml': 'zone: c1.example\nmx: [{ pool: nosuch }]\n' });
    const failed = await run(process.execPath, ['src/cli.ts', 'validate', '--config', join(bad, 'mxpool.yaml')]).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toBe(`${join(bad, 'tenants.d', 'c1.yaml')}:2:14: mx.0.pool: the name of an inbound pool (no pool is named nosuch; pools: inbound, backup, outbound)\n`);
    const good = folder({ 'c1.yaml': 'zone: c1.example\nmx: [{ pool: inbound }]\n' });
    const { stdout } = await run(process.execPath, ['src/cli.ts', 'validate', '--config', join(good, 'mxpool.yaml')]);
    expect(stdout).toBe(`${join(good, 'mxpool.yaml')}: valid (zone isp.example, 3 pools, 7 hosts, 5 tenant zones)\n`);
  }, 90_000); // two CLI processes, each loading the sources: tens of seconds on a loaded machine

  it('a reload applies a change of tenants (no restart): the changed zone is named', () => {
    const before = parseConfig(ISP_YAML, 'isp.yaml');
    const edited = parseConfig(ISP_YAML.replace('dmarc: { p: reject, rua: ["mailto:dmarc@customer1.example"] }', 'dmarc: { p: none }'), 'isp.yaml');
    expect(restartChanges(before, edited)).toEqual([]);
    expect(tenantChanges(before, edited)).toEqual({ added: [], removed: [], changed: ['customer1.example'] });
    expect(describeChanges(before, edited)).toEqual(['tenant zone customer1.example changed']);
  });
});
