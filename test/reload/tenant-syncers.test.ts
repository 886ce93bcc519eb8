// The tenant zones' provider syncers across a reload, through the real AWS SDK against the local
// Route 53 fake: a tenant given providers by the reload is synced at once; one whose providers are
// unchanged keeps its syncer (no extra write); one removed stops; a token variable that is not set
// refuses the reload before anything changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { FakeClock } from '../helpers/fakes/clock.ts';
import { createTenantSyncers } from '../../providers/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { desired } from '../../src/desired.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { silentLogger } from '../../src/log.ts';
import { MxpoolError } from '../../src/errors.ts';
import { health } from '../desired/fixtures.ts';

let one: Route53Fake;
let two: Route53Fake;
beforeAll(async () => {
  one = await Route53Fake.start({ host: '127.113.9.60', zoneId: 'Z1TENANT', zoneName: 'customer1.example' });
  two = await Route53Fake.start({ host: '127.113.9.61', zoneId: 'Z2TENANT', zoneName: 'customer2.example' });
});
afterAll(async () => {
  await Promise.all([one?.close(), two?.close()]);
});

function config(tenants: string): Config {
  return parseConfig(`zone: isp.example
pools:
  - name: inbound
    role: inbound
    mx: { name: isp.example, preference: 10 }
    hosts: [{ name: mx1.isp.example, address: 192.0.2.11 }]
probe: { interval: 5s, timeout: 3s }
tenants:
${tenants}`, 'isp.yaml');
}

const customer1 = () => `  - { zone: customer1.example, mx: [{ pool: inbound }], providers: { route53: { hostedZoneId: Z1TENANT, endpoint: "${one.endpoint}" } } }\n`;
const customer2 = (providers = true) => `  - { zone: customer2.example, mx: [{ pool: inbound }]${providers ? `, providers: { route53: { hostedZoneId: Z2TENANT, endpoint: "${two.endpoint}" } }` : ''} }\n`;

function zonesOf(c: Config): ReturnType<TenantZones['zones']> {
  const tenants = new TenantZones(c);
  tenants.publish(c, desired(c, health(c, {}), { serial: 1, now: 0 }).published ?? {}, new Date('2026-12-01T00:00:00Z'));
  return tenants.zones();
}

describe('tenant syncers across a reload', () => {
  it('adds, keeps and stops syncers per tenant', async () => {
    const clock = new FakeClock();
    const first = config(customer1() + customer2(false));
    const sync = createTenantSyncers({ config: first, logger: silentLogger, clock, scheduler: { schedule: () => ({ stop() {} }) }, deps: { sleep: async () => {} } });
    sync.start();
    sync.push(zonesOf(first));
    clock.advance(300);
    await sync.whenIdle();
    expect(sync.zones).toEqual(['customer1.example']);
    expect(one.count('ChangeResourceRecordSets')).toBe(1);

    // customer2 gets providers: synced as soon as its zone is pushed; customer1 keeps its syncer
    const second = config(customer1() + customer2(true));
    sync.prepare(second)();
    expect(sync.zones).toEqual(['customer1.example', 'customer2.example']);
    sync.push(zonesOf(second).filter((zone) => zone.zone === 'customer2.example')); // what the publisher hands over: the changed zones
    clock.advance(300);
    await sync.whenIdle();
    expect(two.count('ChangeResourceRecordSets')).toBe(1);
    expect(two.get('customer2.example', 'MX')?.values).toEqual(['10 mx1.isp.example.']);
    expect(one.count('ChangeResourceRecordSets')).toBe(1); // nothing new for customer1

    // customer1 removed: its syncer stops, its zone is not written again
    const third = config(customer2(true));
    sync.prepare(third)();
    expect(sync.zones).toEqual(['customer2.example']);
    sync.push(zonesOf(first)); // even if a stale customer1 zone came by
    clock.advance(300);
    await sync.whenIdle();
    expect(one.count('ChangeResourceRecordSets')).toBe(1);
    expect(sync.status('customer1.example')).toEqual([]);
    await sync.stop();
  });

  it('a tenant provider that cannot be built refuses the reload, changing nothing', () => {
    const first = config(customer1());
    const sync = createTenantSyncers({ config: first, logger: silentLogger, scheduler: { schedule: () => ({ stop() {} }) }, deps: { env: {} } });
    const broken = config(`${customer1()}  - { zone: customer3.example, mx: [{ pool: inbound }], providers: { cloudflare: { zoneId: cf3, tokenEnv: MXPOOL_TEST_UNSET_TOKEN } } }\n`);
    expect(() => sync.prepare(broken)).toThrow(MxpoolError);
    expect(sync.zones).toEqual(['customer1.example']);
  });
});
