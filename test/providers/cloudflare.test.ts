// Cloudflare with the real SDK (v7) against the local fake: comment ownership, one record per
// healthy host, the batch endpoint as one transaction, paging, 429 + Retry-After, drift.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudflareFake } from '../helpers/fakes/cloudflare.ts';
import { desiredWith, providersFor, syncerFor, zoneConfig } from './harness.ts';
import { createProviders } from '../../providers/index.ts';
import { createCloudflareClient } from '../../providers/cloudflare/client.ts';
import { silentLogger } from '../../src/log.ts';

let fake: CloudflareFake;
beforeEach(async () => {
  fake = await CloudflareFake.start({ host: '127.0.4.20' });
});
afterEach(async () => {
  await fake.close();
});

function setup(shape: Parameters<typeof zoneConfig>[0] = {}, options: Parameters<typeof providersFor>[1] = {}) {
  const config = zoneConfig({ cloudflare: fake.baseUrl, ...shape });
  const recorded = providersFor(config, options);
  return { config, recorded, syncer: syncerFor(config, recorded) };
}

const contents = (name: string, type: string) => fake.find(name, type).map((r) => r.content).sort();

describe('cloudflare', () => {
  it('first sync: one batch, one record per healthy host, unrelated records (even a TXT at the apex) left alone', async () => {
    const unrelated = [
      fake.add({ name: 'www.example.com', type: 'CNAME', content: 'example.net', ttl: 1 }),
      fake.add({ name: 'example.com', type: 'TXT', content: '"google-site-verification=abc"', ttl: 3600 }),
      ...Array.from({ length: 30 }, (_, i) => fake.add({ name: `app${i}.example.com`, type: 'A', content: `203.0.113.${i + 1}`, ttl: 300 })),
    ];
    const { config, syncer } = setup();
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(true);
    expect(fake.count('batch')).toBe(1);
    for (const record of unrelated) expect(fake.list()).toContainEqual(record);
    expect(contents('smtp.example.com', 'A')).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(fake.find('smtp.example.com', 'A').map((r) => r.comment).sort()).toEqual(['heritage=mxpool,owner=mxpool,host=relay1.example.com', 'heritage=mxpool,owner=mxpool,host=relay2.example.com']);
    expect(fake.find('example.com', 'MX').map((r) => `${r.priority} ${r.content}`).sort()).toEqual(['10 mx1.example.com', '10 mx2.example.com', '10 mx3.example.com']);
    expect(contents('example.com', 'TXT')).toEqual(['"google-site-verification=abc"', expect.stringMatching(/^"v=spf1 ip4:198\.51\.100\.1/)]);
    // no weights and the TTL floor: said once each in the plan
    expect(result?.plan?.warnings).toEqual([
      'cloudflare has no weighted records: weights ignored, one record per healthy host (smtp.example.com/A)',
      'cloudflare accepts no TTL below 60s: TTL 30s raised to 60s on 9 record set(s)',
    ]);
    expect(fake.list().filter((r) => r.comment?.startsWith('heritage=mxpool')).every((r) => r.ttl === 60)).toBe(true);
    fake.resetCounts();
    const [again] = await syncer.syncOnce(desiredWith(config));
    expect(again?.plan?.changes).toEqual([]);
    expect(fake.count('batch')).toBe(0);
  });

  it('a host goes down and comes back: one batch each way', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    fake.resetCounts();
    const [down] = await syncer.syncOnce(desiredWith(config, ['mx2.example.com']));
    expect(down?.error).toBeUndefined();
    expect(fake.batches).toEqual([{ deletes: 2, patches: 0, puts: 0, posts: 0 }]); // its MX and its own A record
    expect(fake.find('example.com', 'MX').map((r) => r.content).sort()).toEqual(['mx1.example.com', 'mx3.example.com']);
    const [up] = await syncer.syncOnce(desiredWith(config));
    expect(up?.ok).toBe(true);
    expect(fake.batches[1]).toEqual({ deletes: 0, patches: 0, puts: 0, posts: 2 });
    expect(fake.find('example.com', 'MX')).toHaveLength(3);
  });

  it('a config whose SPF fails its own checks keeps the SPF record Cloudflare holds, beside a foreign apex TXT', async () => {
    fake.add({ name: 'example.com', type: 'TXT', content: '"google-site-verification=abc"', ttl: 3600 });
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    const before = fake.find('example.com', 'TXT').map((r) => ({ id: r.id, content: r.content })).sort((a, b) => a.content.localeCompare(b.content));
    expect(before.map((r) => r.content)).toEqual(['"google-site-verification=abc"', expect.stringMatching(/^"v=spf1 ip4:198\.51\.100\.1/)]);
    const broken = zoneConfig({ cloudflare: fake.baseUrl, spfIncludes: 11 });
    const [result] = await syncerFor(broken, providersFor(broken)).syncOnce(desiredWith(broken, ['relay2.example.com']));
    expect(result?.ok).toBe(true);
    expect(result?.plan?.warnings).toContain('the desired SPF failed its checks: keeping the SPF cloudflare holds (1 record set(s)) as it is');
    const after = fake.find('example.com', 'TXT').map((r) => ({ id: r.id, content: r.content })).sort((a, b) => a.content.localeCompare(b.content));
    expect(after).toEqual(before); // same records, same ids: untouched
    expect(contents('smtp.example.com', 'A')).toEqual(['198.51.100.1']); // the rest of the plan applied
  });

  it('all hosts down: every host stays published (whenAllDown: all), nothing written', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    fake.resetCounts();
    const [result] = await syncer.syncOnce(desiredWith(config, ['relay1.example.com', 'relay2.example.com']));
    expect(result?.plan?.changes.filter((c) => c.kind !== 'update' || c.after.type !== 'TXT')).toEqual([]);
    expect(contents('smtp.example.com', 'A')).toEqual(['198.51.100.1', '198.51.100.2']);
  });

  it('a record owned by someone else is a conflict, not a takeover; a foreign SPF blocks ours', async () => {
    const legacy = fake.add({ name: 'example.com', type: 'MX', content: 'legacy.example.net', priority: 5, ttl: 3600 });
    const theirSpf = fake.add({ name: 'example.com', type: 'TXT', content: '"v=spf1 include:_spf.example.net -all"', ttl: 3600 });
    const otherOwner = fake.add({ name: 'smtp.example.com', type: 'A', content: '203.0.113.50', ttl: 60, comment: 'heritage=mxpool,owner=blue' });
    const { config, syncer } = setup();
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(true);
    expect(result?.plan?.conflicts.map((c) => `${c.name}/${c.type} ${c.owner ?? '-'}`)).toEqual(['example.com/MX -', 'example.com/TXT -', 'smtp.example.com/A blue']);
    for (const record of [legacy, theirSpf, otherOwner]) expect(fake.list()).toContainEqual(record);
    expect(fake.find('example.com', 'MX')).toHaveLength(1);
    expect(fake.find('mx1.example.com', 'A')).toHaveLength(1);
  });

  it('honours 429 Retry-After on reads and writes (a throttling storm)', async () => {
    const { config, syncer, recorded } = setup();
    fake.fail({ operation: 'list', status: 429, retryAfter: 3 }, 3);
    fake.fail({ operation: 'batch', status: 429, retryAfter: 7 }, 2);
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(true);
    expect(recorded.sleeps).toEqual([3000, 3000, 3000, 7000, 7000]);
    expect(fake.find('example.com', 'MX')).toHaveLength(3);
    expect(fake.count('batch')).toBe(3);
  });

  it('a 500 on the batch applies nothing and is not repeated blindly; the next cycle succeeds', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    const before = fake.list();
    fake.resetCounts();
    fake.fail({ operation: 'batch', status: 500 });
    const [failed] = await syncer.syncOnce(desiredWith(config, ['relay1.example.com']));
    expect(failed?.ok).toBe(false);
    expect(failed?.error).toMatch(/batch failed \(HTTP 500\): 10001 Internal server error/);
    expect(fake.count('batch')).toBe(1);
    expect(fake.list()).toEqual(before);
    expect(syncer.status()).toEqual([expect.objectContaining({ name: 'cloudflare', ok: false, changes: 0 })]);
    const [retried] = await syncer.syncOnce(desiredWith(config, ['relay1.example.com']));
    expect(retried?.ok).toBe(true);
    expect(contents('smtp.example.com', 'A')).toEqual(['198.51.100.2']);
    expect(syncer.status()).toEqual([expect.objectContaining({ name: 'cloudflare', ok: true, changes: 2 })]);
  });

  it('a batch the API rejects leaves the zone untouched (one transaction)', async () => {
    const { config, syncer } = setup();
    // a hand-made CNAME where mxpool wants an A record: the API refuses the post, so none of the batch lands
    fake.add({ name: 'relay2.example.com', type: 'CNAME', content: 'elsewhere.example.net', ttl: 300 });
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.ok).toBe(false);
    expect(result?.error).toContain('81053');
    expect(fake.list()).toHaveLength(1);
  });

  it('the batch runs deletes before posts: replacing a record by an identical one in one call works', async () => {
    const existing = fake.add({ name: 'mx1.example.com', type: 'A', content: '192.0.2.1', ttl: 300 });
    const api = createCloudflareClient({ zoneId: fake.zoneId, token: fake.token, baseUrl: fake.baseUrl, logger: silentLogger, sleep: async () => {}, random: () => 0.5 });
    // posts listed first in the body, but Cloudflare (and the fake) run deletes -> patches -> puts -> posts
    await api.batch({ posts: [{ name: 'mx1.example.com', type: 'A', content: '192.0.2.1', ttl: 60 }], patches: [], deletes: [{ id: existing.id }] });
    expect(fake.find('mx1.example.com', 'A')).toEqual([expect.objectContaining({ ttl: 60, content: '192.0.2.1' })]);
    // a post duplicating a record that stays is refused, and the delete in the same batch is rolled back
    const other = fake.add({ name: 'app.example.com', type: 'A', content: '203.0.113.1', ttl: 300 });
    const stays = fake.find('mx1.example.com', 'A')[0]!;
    await expect(api.batch({ posts: [{ name: 'mx1.example.com', type: 'A', content: '192.0.2.1', ttl: 60 }], patches: [], deletes: [{ id: other.id }] })).rejects.toThrow(/81058 An identical record already exists/);
    expect(fake.list()).toEqual([stays, other]);
  });

  it('reads 300+ records over pages', async () => {
    const { config, syncer, recorded } = setup({ inbound: 150, outbound: 60 }, { pageSize: 50 });
    fake.maxPerPage = 50;
    for (let i = 0; i < 40; i++) fake.add({ name: `app${i}.example.com`, type: 'A', content: `203.0.113.${i + 1}`, ttl: 300 });
    const [first] = await syncer.syncOnce(desiredWith(config));
    expect(first?.ok).toBe(true);
    expect(fake.list().length).toBeGreaterThan(300);
    fake.resetCounts();
    const [again] = await syncer.syncOnce(desiredWith(config));
    expect(again?.plan?.changes).toEqual([]);
    expect(again?.plan?.summary.ownedRecords).toBe(150 + 150 + 60 + 60 + 2);
    expect(fake.count('list')).toBe(Math.ceil(fake.list().length / 50));
    expect(fake.count('batch')).toBe(0);
    expect(recorded.calls.get('batch')).toBe(3); // 422 posts at 200 a batch
  });

  it('refuses deleting over 30% of owned records, with the numbers; --force applies', async () => {
    const { config, syncer } = setup({ inbound: 10 });
    await syncer.syncOnce(desiredWith(config));
    const smaller = zoneConfig({ cloudflare: fake.baseUrl, inbound: 3 });
    const syncer2 = syncerFor(smaller, providersFor(smaller));
    const [refused] = await syncer2.syncOnce(desiredWith(smaller));
    expect(refused?.error).toBe('cloudflare: would delete 14 of 26 owned records (54%), over the 30% limit; --force to apply');
    expect(fake.find('mx10.example.com', 'A')).toHaveLength(1);
    const [forced] = await syncer2.syncOnce(desiredWith(smaller), { force: true });
    expect(forced?.ok).toBe(true);
    expect(fake.find('mx10.example.com', 'A')).toHaveLength(0);
  });

  it('restores an owned record edited by hand (drift), keeping its id', async () => {
    const { config, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    const [spf] = fake.find('example.com', 'TXT');
    const [mx1] = fake.find('mx1.example.com', 'A');
    fake.edit(spf!.id, { content: '"v=spf1 +all"' });
    fake.edit(mx1!.id, { ttl: 3600 });
    const [result] = await syncer.syncOnce(desiredWith(config));
    expect(result?.plan?.summary.updates).toBe(2);
    expect(fake.find('example.com', 'TXT')[0]?.content).toMatch(/^"v=spf1 ip4:/);
    expect(fake.find('mx1.example.com', 'A')).toEqual([expect.objectContaining({ id: mx1!.id, ttl: 60 })]);
  });

  it('refuses to start without its token', () => {
    const config = zoneConfig({ cloudflare: fake.baseUrl });
    expect(providersFor(config).providers.map((p) => p.name)).toEqual(['cloudflare']);
    expect(() => createProviders(config, silentLogger, { env: {} })).toThrow('providers.cloudflare.tokenEnv: the environment variable MXPOOL_TEST_CF_TOKEN must hold the Cloudflare API token; it is not set');
  });
});
