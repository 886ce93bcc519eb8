// Tenants with providers of their own, synced through the real AWS and Cloudflare SDKs against the
// local fakes (one hosted zone / Cloudflare zone per tenant): ownership (a record made by hand stays),
// one write per change per zone when a health change touches every tenant, the pool-emptying safety
// stage, and `mxpool plan` as a child process naming each tenant zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { CloudflareFake } from '../helpers/fakes/cloudflare.ts';
import { FakeClock } from '../helpers/fakes/clock.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createTenantSyncers, type TenantSyncers } from '../../providers/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { desired } from '../../src/desired.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { silentLogger } from '../../src/log.ts';
import { health } from '../desired/fixtures.ts';

const run = promisify(execFile);
let one: Route53Fake;
let two: CloudflareFake;
let three: Route53Fake;

beforeAll(async () => {
  one = await Route53Fake.start({ host: '127.13.0.60', zoneId: 'Z1TENANT', zoneName: 'customer1.example' });
  two = await CloudflareFake.start({ host: '127.13.0.61', zoneId: 'cf2tenant', zoneName: 'customer2.example', token: 'cf-test-token' });
  three = await Route53Fake.start({ host: '127.13.0.62', zoneId: 'Z3TENANT', zoneName: 'customer3.example' });
});
afterAll(async () => {
  await Promise.all([one?.close(), two?.close(), three?.close()]);
});

function yaml(whenAllDown = 'all'): string {
  return `zone: isp.example
pools:
  - name: inbound
    role: inbound
    mx: { name: isp.example, preference: 10 }
    whenAllDown: ${whenAllDown}
    hosts:
      - { name: mx1.isp.example, address: 192.0.2.11 }
      - { name: mx2.isp.example, address: 192.0.2.12 }
  - name: outbound
    role: outbound
    hosts: [{ name: relay1.isp.example, address: 192.0.2.21 }]
probe: { rise: 2, fall: 2, interval: 5s, timeout: 3s }
auth: { spf: { sharedName: _spf.isp.example } }
providers: { maxDeletePercent: 30 }
tenants:
  - zone: customer1.example
    mx: [{ pool: inbound }]
    dmarc: { p: reject }
    providers: { route53: { hostedZoneId: Z1TENANT, endpoint: "${one.endpoint}" } }
  - zone: customer2.example
    mx: [{ pool: inbound, preference: 20 }]
    providers: { cloudflare: { zoneId: cf2tenant, tokenEnv: MXPOOL_TEST_TENANT_CF, baseUrl: "${two.baseUrl}" } }
  - zone: customer3.example
    mx: [{ pool: inbound }]
    providers: { route53: { hostedZoneId: Z3TENANT, endpoint: "${three.endpoint}" } }
  - zone: served-only.example
    mx: [{ pool: inbound }]
`;
}

function zonesFor(config: Config, tenants: TenantZones, states: Record<string, 'healthy' | 'unhealthy'> = {}) {
  const top = desired(config, health(config, states), { serial: 1, now: 0 });
  return tenants.publish(config, top.published ?? {}, new Date('2026-12-01T00:00:00Z'));
}

function syncers(config: Config, clock: FakeClock): TenantSyncers {
  return createTenantSyncers({ config, logger: silentLogger, clock, scheduler: { schedule: () => ({ stop() {} }) }, deps: { env: { MXPOOL_TEST_TENANT_CF: 'cf-test-token' }, sleep: async () => {} } });
}

describe('tenants with providers', () => {
  it('each zone is synced to its own hosted zone; a record made by hand stays', async () => {
    one.put({ name: 'legacy.customer1.example', type: 'A', ttl: 300, values: ['192.0.2.99'] });
    const config = parseConfig(yaml(), 'isp.yaml');
    const tenants = new TenantZones(config);
    const sync = syncers(config, new FakeClock());
    expect(sync.zones).toEqual(['customer1.example', 'customer2.example', 'customer3.example']);
    const results = await sync.syncOnce(zonesFor(config, tenants));
    expect(results.map((r) => `${r.zone} ${r.provider} ${r.ok} ${r.applied}`)).toEqual(['customer1.example route53 true true', 'customer2.example cloudflare true true', 'customer3.example route53 true true']);
    expect(one.get('customer1.example', 'MX')?.values).toEqual(['10 mx1.isp.example.', '10 mx2.isp.example.']);
    expect(one.get('customer1.example', 'TXT')?.values).toEqual(['"v=spf1 include:_spf.isp.example -all"']);
    expect(one.get('_dmarc.customer1.example', 'TXT')?.values).toEqual(['"v=DMARC1; p=reject"']);
    expect(one.get('legacy.customer1.example', 'A')?.values).toEqual(['192.0.2.99']);
    expect(two.find('customer2.example', 'MX').map((r) => `${r.priority} ${r.content}`).sort()).toEqual(['20 mx1.isp.example', '20 mx2.isp.example']);
    expect(three.get('customer3.example', 'MX')?.values).toHaveLength(2);
    await sync.stop();
  });

  it('a health change touching every tenant: one write per zone and provider', async () => {
    const config = parseConfig(yaml(), 'isp.yaml');
    const tenants = new TenantZones(config);
    const clock = new FakeClock();
    const sync = syncers(config, clock);
    await sync.syncOnce(zonesFor(config, tenants));
    one.resetCounts();
    two.resetCounts();
    three.resetCounts();
    const changed = zonesFor(config, tenants, { 'mx2.isp.example': 'unhealthy' });
    expect(changed.map((z) => z.zone)).toEqual(['customer1.example', 'customer2.example', 'customer3.example', 'served-only.example']);
    sync.push(changed);
    clock.advance(30_000); // past debounce and hold-down
    await sync.whenIdle();
    expect(one.count('ChangeResourceRecordSets')).toBe(1);
    expect(two.count('batch')).toBe(1);
    expect(three.count('ChangeResourceRecordSets')).toBe(1);
    expect(one.get('customer1.example', 'MX')?.values).toEqual(['10 mx1.isp.example.']);
    expect(two.find('customer2.example', 'MX').map((r) => r.content)).toEqual(['mx1.isp.example']);
    expect(sync.status('customer1.example')).toMatchObject([{ name: 'route53', ok: true }]);
    expect(sync.status('served-only.example')).toEqual([]);
    await sync.stop();
  });

  it('refuses to empty a tenant MX (whenAllDown: none, every host down): the zone keeps its MX', async () => {
    const config = parseConfig(yaml('none'), 'isp.yaml');
    const tenants = new TenantZones(config);
    const sync = syncers(config, new FakeClock());
    await sync.syncOnce(zonesFor(config, tenants));
    const down = zonesFor(config, tenants, { 'mx1.isp.example': 'unhealthy', 'mx2.isp.example': 'unhealthy' });
    const results = await sync.syncOnce(down.filter((z) => z.zone === 'customer3.example'));
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.error).toMatch(/would empty pool inbound \(customer3\.example\/MX/);
    expect(three.get('customer3.example', 'MX')?.values).toHaveLength(2);
    await sync.stop();
  });

  it('mxpool plan --all-healthy plans every tenant zone at its providers, each result naming its zone', async () => {
    const dir = tempDir('mxpool-tenant-plan-');
    const file = join(dir, 'mxpool.yaml');
    writeFileSync(file, yaml());
    one.put({ name: 'customer1.example', type: 'TXT', ttl: 30, values: ['"v=spf1 -all"'] });
    const out = await run(process.execPath, ['src/cli.ts', 'plan', '--config', file, '--all-healthy', '--log-level', 'error'], { env: { ...process.env, MXPOOL_TEST_TENANT_CF: 'cf-test-token' } }).catch((error: { code: number; stdout: string }) => error);
    expect((out as { code?: number }).code).toBe(3); // changes pending
    const text = (out as { stdout: string }).stdout;
    expect(text).toMatch(/^customer1\.example route53: /m);
    expect(text).toMatch(/^customer2\.example cloudflare: /m);
    expect(text).toMatch(/^customer3\.example route53: /m);
    const json = await run(process.execPath, ['src/cli.ts', 'plan', '--config', file, '--all-healthy', '--json', '--provider', 'cloudflare', '--log-level', 'error'], { env: { ...process.env, MXPOOL_TEST_TENANT_CF: 'cf-test-token' } }).catch((error: { stdout: string }) => error);
    const plans = (JSON.parse((json as { stdout: string }).stdout) as { plans: { zone: string; provider: string }[] }).plans;
    expect(plans.map((p) => `${p.zone} ${p.provider}`)).toEqual(['customer2.example cloudflare']);
  }, 90_000); // two CLI processes, each loading the sources: tens of seconds on a loaded machine
});
