// Route 53 with the real AWS SDK against the local fake: ownership, safety, paging, throttling,
// failures mid-sync and drift.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Route53Fake, type FakeRrset } from '../helpers/fakes/route53.ts';
import { desiredWith, providersFor, syncerFor, zoneConfig } from './harness.ts';

let fake: Route53Fake;
beforeEach(async () => {
  fake = await Route53Fake.start({ host: '127.0.4.10' });
});
afterEach(async () => {
  await fake.close();
});

function setup(shape: Parameters<typeof zoneConfig>[0] = {}, options: Parameters<typeof providersFor>[1] = {}) {
  const config = zoneConfig({ route53: fake.endpoint, ...shape });
  const recorded = providersFor(config, options);
  return { config, recorded, syncer: syncerFor(config, recorded) };
}

const names = (sets: FakeRrset[]) => sets.map((s) => `${s.name} ${s.type}${s.setIdentifier ? ` ${s.setIdentifier}` : ''}`);

describe('route53', () => {
  it('first sync into a zone full of unrelated records leaves them alone and writes one atomic batch', async () => {
    const unrelated: FakeRrset[] = Array.from({ length: 40 }, (_, i) => ({ name: `app${i}.example.com`, type: 'A', ttl: 300, values: [`203.0.113.${i + 1}`] }));
    unrelated.push({ name: 'www.example.com', type: 'CNAME', ttl: 300, values: ['example.net.'] });
    for (const set of unrelated) fake.put(set);
    const before = fake.list();
    const { config, syncer } = setup();
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(true);
    expect(fake.count('ChangeResourceRecordSets')).toBe(1);
    for (const set of before) expect(fake.get(set.name, set.type, set.setIdentifier)).toEqual(set);
    // weighted pool records: SetIdentifier = host, Weight = weight; MX and SPF as plain sets
    expect(fake.get('smtp.example.com', 'A', 'relay1.example.com')).toMatchObject({ weight: 1, values: ['198.51.100.1'] });
    expect(fake.get('smtp.example.com', 'A', 'relay2.example.com')).toMatchObject({ weight: 2, values: ['198.51.100.2'] });
    expect(fake.get('example.com', 'MX')?.values.sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.', '10 mx3.example.com.']);
    expect(fake.get('example.com', 'TXT')?.values[0]).toMatch(/^"v=spf1 ip4:198\.51\.100\.1/);
    // one registry record per owned set
    expect(fake.get('_mxpool-mx.example.com', 'TXT')?.values).toEqual(['"heritage=mxpool,mxpool/owner=mxpool,mxpool/resource=mx"']);
    // SOA/NS were the zone's and stay as they were
    expect(fake.get('example.com', 'NS')?.values).toEqual(['ns-1.awsdns.example.', 'ns-2.awsdns.example.']);
    // a second cycle reads only
    fake.resetCounts();
    const [again] = await syncer.syncOnce(desiredWith(config));
    expect(again?.plan?.changes).toEqual([]);
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('a TXT value in UTF-8 goes out in Route 53\'s octal escapes and reads back equal: no write on the next cycle', async () => {
    const { config, syncer } = setup({ records: ['{ name: example.com, type: TXT, value: "\\"café ✓ verified\\"" }'] });
    const [first] = await syncer.syncOnce(desiredWith(config));
    expect(first?.ok).toBe(true);
    expect(fake.get('example.com', 'TXT')?.values).toContain('"caf\\303\\251 \\342\\234\\223 verified"');
    fake.resetCounts();
    const [again] = await syncer.syncOnce(desiredWith(config));
    expect(again?.plan?.changes).toEqual([]);
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('a host goes down and comes back: one write each way, exact values deleted', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    fake.resetCounts();
    const [down] = await syncer.syncOnce(desiredWith(config, ['relay2.example.com']));
    expect(down?.error).toBeUndefined();
    expect(fake.count('ChangeResourceRecordSets')).toBe(1);
    expect(fake.get('smtp.example.com', 'A', 'relay2.example.com')).toBeUndefined();
    expect(fake.get('smtp.example.com', 'A', 'relay1.example.com')).toMatchObject({ weight: 1 });
    // SPF keeps a withdrawn relay for a grace period (it may still flush its queue)
    expect(fake.get('example.com', 'TXT')?.values[0]).toContain('198.51.100.2');
    const [up] = await syncer.syncOnce(desiredWith(config));
    expect(up?.ok).toBe(true);
    expect(fake.count('ChangeResourceRecordSets')).toBe(2);
    expect(fake.get('smtp.example.com', 'A', 'relay2.example.com')).toMatchObject({ weight: 2 });
  });

  it('a config whose SPF fails its own checks (12 lookups) keeps the SPF Route 53 holds instead of deleting it', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    const spfBefore = fake.get('example.com', 'TXT');
    expect(spfBefore?.values[0]).toMatch(/^"v=spf1 ip4:198\.51\.100\.1/);
    // the operator adds 11 includes: the new SPF would be a permerror everywhere, so it is withheld
    const broken = zoneConfig({ route53: fake.endpoint, spfIncludes: 11 });
    const zone = desiredWith(broken, ['relay2.example.com']);
    expect(zone.spfWithheld).toBe(true);
    fake.resetCounts();
    const [result] = await syncerFor(broken, providersFor(broken)).syncOnce(zone);
    expect(result?.ok).toBe(true);
    expect(result?.plan?.warnings).toContain('the desired SPF failed its checks: keeping the SPF route53 holds (1 record set(s)) as it is');
    expect(fake.get('example.com', 'TXT')).toEqual(spfBefore);
    // the rest of the plan still applies: relay2 leaves the pool
    expect(fake.count('ChangeResourceRecordSets')).toBe(1);
    expect(fake.get('smtp.example.com', 'A', 'relay2.example.com')).toBeUndefined();
    // back to a good config: the SPF is mxpool's to update again
    await syncer.syncOnce(desiredWith(config));
    expect(fake.get('example.com', 'TXT')?.values[0]).toMatch(/^"v=spf1 ip4:198\.51\.100\.1/);
  });

  it('all hosts down: whenAllDown all keeps every host published, no write', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    fake.resetCounts();
    const [result] = await syncer.syncOnce(desiredWith(config, ['mx1.example.com', 'mx2.example.com', 'mx3.example.com']));
    expect(result?.ok).toBe(true);
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
    expect(fake.get('example.com', 'MX')?.values).toHaveLength(3);
  });

  it('all hosts down with whenAllDown none: emptying the pool is refused, the zone keeps its records', async () => {
    const { config, syncer } = setup({ whenAllDown: 'none' });
    await syncer.syncOnce(desiredWith(config));
    const before = fake.list();
    const [result] = await syncer.syncOnce(desiredWith(config, ['mx1.example.com', 'mx2.example.com', 'mx3.example.com']));
    expect(result?.ok).toBe(false);
    expect(result?.error).toContain('would empty pool inbound (example.com/MX: 3 records); --force to apply');
    expect(fake.list()).toEqual(before);
    const [forced] = await syncer.syncOnce(desiredWith(config, ['mx1.example.com', 'mx2.example.com', 'mx3.example.com']), { force: true });
    expect(forced?.ok).toBe(true);
    expect(fake.get('example.com', 'MX')).toBeUndefined();
    expect(fake.get('_mxpool-mx.example.com', 'TXT')).toBeUndefined();
  });

  it('a record owned by someone else is reported and left alone; the rest syncs', async () => {
    fake.put({ name: 'example.com', type: 'MX', ttl: 3600, values: ['10 legacy.example.net.'] });
    fake.put({ name: 'smtp.example.com', type: 'A', ttl: 60, values: ['203.0.113.9'] });
    fake.put({ name: '_mxpool-a.smtp.example.com', type: 'TXT', ttl: 300, values: ['"heritage=mxpool,mxpool/owner=blue,mxpool/resource=a"'] });
    const { config, syncer } = setup();
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(true);
    expect(result?.plan?.conflicts.map((c) => c.message)).toEqual([
      'example.com/MX exists and is not made by mxpool (no ownership mark): left alone; delete it at the provider or change its owner to let mxpool manage it',
      'smtp.example.com/A exists and is owned by mxpool instance "blue": left alone; delete it at the provider or change its owner to let mxpool manage it',
    ]);
    expect(fake.get('example.com', 'MX')?.values).toEqual(['10 legacy.example.net.']);
    expect(fake.get('smtp.example.com', 'A')?.values).toEqual(['203.0.113.9']);
    expect(fake.get('mx1.example.com', 'A')?.values).toEqual(['192.0.2.1']);
  });

  it('rides out a throttling storm with exponential backoff and jitter', async () => {
    let draw = 0;
    const { config, syncer, recorded } = setup({}, { random: () => [0.9, 0.1, 0.5][draw++ % 3] as number });
    fake.fail({ operation: 'ListResourceRecordSets', status: 400, code: 'Throttling', message: 'Rate exceeded' }, 3);
    fake.fail({ operation: 'ChangeResourceRecordSets', status: 400, code: 'PriorRequestNotComplete', message: 'The request was rejected because Route 53 was still processing a prior request.' }, 2);
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(true);
    expect(fake.get('example.com', 'MX')?.values).toHaveLength(3);
    // 250 ms doubling, times the jitter draw: 0.9*250, 0.1*500, 0.5*1000, then the change: 0.9*250, 0.1*500
    expect(recorded.sleeps).toEqual([225, 50, 500, 225, 50]);
  });

  it('gives up after the attempts run out and reports the code', async () => {
    const { config, syncer } = setup();
    fake.fail({ operation: 'ListResourceRecordSets', status: 400, code: 'Throttling', message: 'Rate exceeded' }, 20);
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(false);
    expect(result?.error).toContain('ListResourceRecordSets failed (HTTP 400): Throttling: Rate exceeded');
    expect(syncer.status()[0]).toMatchObject({ name: 'route53', ok: false });
  });

  it('a 500 in the middle of a sync applies nothing; the next cycle retries and succeeds', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    const before = fake.list();
    fake.fail({ operation: 'ChangeResourceRecordSets', status: 500, code: 'InternalFailure', message: 'We encountered an internal error.' });
    const [failed] = await syncer.syncOnce(desiredWith(config, ['relay1.example.com']));
    expect(failed?.ok).toBe(false);
    expect(failed?.error).toContain('HTTP 500');
    expect(fake.list()).toEqual(before);
    const [retried] = await syncer.syncOnce(desiredWith(config, ['relay1.example.com']));
    expect(retried?.ok).toBe(true);
    expect(fake.get('smtp.example.com', 'A', 'relay1.example.com')).toBeUndefined();
  });

  it('InvalidChangeBatch from a stale read fails the whole batch atomically', async () => {
    const { config, recorded } = setup();
    const [provider] = recorded.providers;
    await provider!.records();
    // someone creates the MX between our read and our write: our CREATE must fail, and nothing else lands
    fake.put({ name: 'example.com', type: 'MX', ttl: 300, values: ['10 sneaky.example.net.'] });
    const { makePlan, poolRecordKeys } = await import('../../src/plan/index.ts');
    const plan = makePlan({ provider: 'route53', capabilities: provider!.capabilities, current: [], desired: desiredWith(config).sets, ownerId: 'mxpool', maxDeletePercent: 30, poolKeys: poolRecordKeys(config), force: false });
    await expect(provider!.apply(plan.changes)).rejects.toThrow(/InvalidChangeBatch: \[Tried to create resource record set \[name='example.com.', type='MX'\] but it already exists\]/);
    expect(fake.get('mx1.example.com', 'A')).toBeUndefined();
  });

  it('a DELETE with stale values (edited by hand after the read) fails the batch; the next cycle recovers', async () => {
    const { config, syncer, recorded } = setup();
    await syncer.syncOnce(desiredWith(config));
    const [provider] = recorded.providers;
    const current = await provider!.records();
    fake.put({ name: 'smtp.example.com', type: 'A', setIdentifier: 'relay2.example.com', weight: 9, ttl: 30, values: ['198.51.100.2'] });
    const { makePlan, poolRecordKeys } = await import('../../src/plan/index.ts');
    const plan = makePlan({ provider: 'route53', capabilities: provider!.capabilities, current, desired: desiredWith(config, ['relay2.example.com']).sets, ownerId: 'mxpool', maxDeletePercent: 30, poolKeys: poolRecordKeys(config), force: false });
    const before = fake.list();
    await expect(provider!.apply(plan.changes)).rejects.toThrow(/but the values provided do not match the current values/);
    expect(fake.list()).toEqual(before);
    const [next] = await syncer.syncOnce(desiredWith(config, ['relay2.example.com']));
    expect(next?.ok).toBe(true);
    expect(fake.get('smtp.example.com', 'A', 'relay2.example.com')).toBeUndefined();
  });

  it('reads 300+ records over many pages, and a no-op reconcile only reads', async () => {
    const { config, syncer, recorded } = setup({ inbound: 120, outbound: 100 }, { pageSize: 40 });
    fake.pageSize = 40;
    for (let i = 0; i < 60; i++) fake.put({ name: `app${i}.example.com`, type: 'A', ttl: 300, values: [`203.0.113.${i + 1}`] });
    const [first] = await syncer.syncOnce(desiredWith(config));
    expect(first?.ok).toBe(true);
    expect(fake.list().length).toBeGreaterThan(300);
    fake.resetCounts();
    const [again] = await syncer.syncOnce(desiredWith(config));
    expect(again?.plan?.changes).toEqual([]);
    expect(again?.plan?.summary.ownedRecords).toBe(120 + 100 + 120 + 100 + 2); // host A, pool A, MX, SPF + DMARC
    expect(fake.count('ListResourceRecordSets')).toBe(Math.ceil(fake.list().length / 40));
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
    expect(recorded.calls.get('ListResourceRecordSets')).toBeGreaterThan(8);
  });

  it('splits past the batch limit, keeping each record set in one batch', async () => {
    const { config, syncer } = setup({ inbound: 400, outbound: 150 });
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(true);
    // 400 host A + 150 relay A + 150 weighted pool A + MX + SPF + DMARC, + one registry each = 1,104+ entries
    expect(fake.count('ChangeResourceRecordSets')).toBe(2);
    expect(result?.writes).toBe(2);
    expect(fake.get('example.com', 'MX')?.values).toHaveLength(400);
  });

  it('refuses deleting over 30% of owned records, with the numbers; --force applies', async () => {
    const { config, syncer } = setup({ inbound: 10, outbound: 4 });
    await syncer.syncOnce(desiredWith(config));
    // the operator shrinks the config to 2 inbound hosts: 8 host A + 8 MX values go
    const smaller = zoneConfig({ route53: fake.endpoint, inbound: 2, outbound: 4 });
    const recorded = providersFor(smaller);
    const syncer2 = syncerFor(smaller, recorded);
    const [refused] = await syncer2.syncOnce(desiredWith(smaller));
    expect(refused?.ok).toBe(false);
    expect(refused?.error).toBe('route53: would delete 16 of 30 owned records (53%), over the 30% limit; --force to apply');
    expect(fake.get('mx10.example.com', 'A')).toBeDefined();
    const [forced] = await syncer2.syncOnce(desiredWith(smaller), { force: true });
    expect(forced?.ok).toBe(true);
    expect(fake.get('mx10.example.com', 'A')).toBeUndefined();
    expect(fake.get('_mxpool-a.mx10.example.com', 'TXT')).toBeUndefined();
  });

  it('restores an owned record edited by hand (drift)', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    fake.put({ name: 'example.com', type: 'TXT', ttl: 30, values: ['"v=spf1 +all"'] });
    fake.put({ name: 'smtp.example.com', type: 'A', setIdentifier: 'relay1.example.com', weight: 100, ttl: 30, values: ['198.51.100.1'] });
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.plan?.summary.updates).toBe(2);
    expect(fake.get('example.com', 'TXT')?.values[0]).toMatch(/^"v=spf1 ip4:/);
    expect(fake.get('smtp.example.com', 'A', 'relay1.example.com')?.weight).toBe(1);
  });

  it('waits for INSYNC when asked', async () => {
    const config = zoneConfig({ route53: fake.endpoint });
    const withWait = { ...config, providers: { ...config.providers!, route53: { ...config.providers!.route53!, waitForSync: true } } };
    fake.pendingPolls = 2;
    const recorded = providersFor(withWait);
    const [result] = await syncerFor(withWait, recorded).syncOnce(desiredWith(withWait));
    expect(result?.ok).toBe(true);
    expect(fake.count('GetChange')).toBe(3);
    expect(recorded.sleeps).toEqual([2000, 2000]);
  });
});
