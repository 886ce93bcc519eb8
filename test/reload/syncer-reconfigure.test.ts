// A reload hands the syncer its new config and providers: a provider added is synced at once, one
// whose settings did not change is kept (same client, its series of writes goes on), one removed
// stops; cron schedules are re-armed; a provider that cannot be built refuses the reload.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { FakeClock } from '../helpers/fakes/clock.ts';
import { createSyncer, providersForReload } from '../../providers/index.ts';
import { silentLogger } from '../../src/log.ts';
import { MxpoolError } from '../../src/errors.ts';
import { desiredWith, zoneConfig } from '../providers/harness.ts';

let fake: Route53Fake;
beforeEach(async () => {
  fake = await Route53Fake.start({ host: '127.113.4.30' });
});
afterEach(async () => {
  await fake.close();
});

function scheduler() {
  const crons: Array<{ expression: string; stopped: boolean }> = [];
  return {
    crons,
    schedule(expression: string) {
      const task = { expression, stopped: false };
      crons.push(task);
      return { stop: () => void (task.stopped = true) };
    },
  };
}

describe('syncer across reloads', () => {
  it('a provider added by a reload gets the zone at once; kept when unchanged; dropped when removed', async () => {
    const without = zoneConfig({});
    const withRoute53 = zoneConfig({ route53: fake.endpoint });
    const cron = scheduler();
    const syncer = createSyncer({ config: without, logger: silentLogger, providers: [], clock: new FakeClock(), scheduler: cron });
    syncer.start();
    syncer.push(desiredWith(without, [], 1));
    expect(syncer.status()).toEqual([]);

    const added = providersForReload(without, withRoute53, syncer.providers(), silentLogger, { env: {} });
    expect(added.map((p) => p.name)).toEqual(['route53']);
    syncer.reconfigure(withRoute53, added);
    await syncer.whenIdle();
    expect(fake.count('ChangeResourceRecordSets')).toBe(1);
    expect(syncer.status()).toMatchObject([{ name: 'route53', ok: true }]);
    expect(cron.crons.filter((c) => !c.stopped).map((c) => c.expression)).toEqual(['*/1 * * * *']);

    // a reload that changes nothing about route53 keeps the very same provider
    const sameSettings = zoneConfig({ route53: fake.endpoint, ttl: 60 }); // a new object, other keys changed
    const kept = providersForReload(withRoute53, sameSettings, syncer.providers(), silentLogger, { env: {} });
    expect(kept[0]).toBe(syncer.providers()[0]);
    fake.resetCounts();
    syncer.reconfigure(sameSettings, kept);
    await syncer.whenIdle();
    expect(fake.count('ChangeResourceRecordSets')).toBe(0); // not "fresh": no extra sync
    expect(cron.crons.filter((c) => !c.stopped)).toHaveLength(1); // re-armed, not doubled

    const removed = providersForReload(sameSettings, without, syncer.providers(), silentLogger, { env: {} });
    syncer.reconfigure(without, removed);
    expect(syncer.status()).toEqual([]);
    expect(cron.crons.every((c) => c.stopped)).toBe(true);
    await syncer.stop();
  });

  it('a provider that cannot be built (its token variable unset) throws, naming the key', () => {
    const without = zoneConfig({});
    const withCloudflare = zoneConfig({ cloudflare: 'http://127.113.4.31:9/client/v4' });
    let error: unknown;
    try {
      providersForReload(without, withCloudflare, [], silentLogger, { env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MxpoolError);
    expect((error as MxpoolError).origin).toBe('providers.cloudflare.tokenEnv');
  });
});

