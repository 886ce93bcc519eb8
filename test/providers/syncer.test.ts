// The serve-time loop: pushes debounced and held down (a flapping host costs at most one write per
// rise/fall cycle), cron reconciles repairing drift, status and events, a clean stop.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { FakeClock } from '../helpers/fakes/clock.ts';
import { createSyncer, type SyncEvent } from '../../providers/index.ts';
import { silentLogger } from '../../src/log.ts';
import { desiredWith, providersFor, zoneConfig } from './harness.ts';

let fake: Route53Fake;
beforeEach(async () => {
  fake = await Route53Fake.start({ host: '127.0.4.30' });
});
afterEach(async () => {
  await fake.close();
});

function setup() {
  const config = zoneConfig({ route53: fake.endpoint });
  const clock = new FakeClock();
  const crons: Array<{ expression: string; run: () => void; stopped: boolean }> = [];
  const scheduler = {
    schedule(expression: string, run: () => void) {
      const task = { expression, run, stopped: false };
      crons.push(task);
      return { stop: () => void (task.stopped = true) };
    },
  };
  const syncer = createSyncer({ config, logger: silentLogger, providers: providersFor(config).providers, clock, scheduler });
  const events: SyncEvent[] = [];
  syncer.onSync((event) => events.push(event));
  return { config, clock, crons, syncer, events };
}

const writes = () => fake.count('ChangeResourceRecordSets');

describe('syncer', () => {
  it('pushes a health change after a short debounce, coalescing transitions of the same moment', async () => {
    const { config, clock, syncer, events } = setup();
    syncer.push(desiredWith(config, [], 1));
    syncer.push(desiredWith(config, ['relay1.example.com'], 2));
    clock.advance(100);
    expect(writes()).toBe(0);
    clock.advance(150);
    await syncer.whenIdle();
    expect(writes()).toBe(1);
    expect(fake.get('smtp.example.com', 'A', 'relay1.example.com')).toBeUndefined();
    expect(events).toEqual([{ provider: 'route53', result: 'ok', serial: 2 }]); // the zone pushed last
    expect(syncer.status()).toEqual([{ name: 'route53', at: clock.now(), ok: true, changes: 8, error: null }]);
  });

  it('holds a flapping host down: at most one write per rise/fall cycle', async () => {
    const { config, clock, syncer } = setup();
    // rise 2 + fall 2 at a 5 s interval: one write per 20 s at most
    await syncer.syncOnce(desiredWith(config));
    fake.resetCounts();
    let down = false;
    for (let second = 0; second < 60; second++) {
      down = !down;
      syncer.push(desiredWith(config, down ? ['relay2.example.com'] : [], second + 2));
      clock.advance(1000);
      await syncer.whenIdle();
    }
    clock.advance(20_000);
    await syncer.whenIdle();
    // without the hold-down: 60 writes. With it: a write at most once per 20 s after the last one
    // (down at ~20 s, up at ~41 s); a window that ends in the published state costs nothing.
    expect(writes()).toBe(2);
    // it ends in the last pushed state: up (60 pushes, the last one "up")
    expect(fake.get('smtp.example.com', 'A', 'relay2.example.com')).toBeDefined();
  });

  it('a flap that reverts inside the hold-down costs no write at all', async () => {
    const { config, clock, syncer } = setup();
    await syncer.syncOnce(desiredWith(config));
    fake.resetCounts();
    syncer.push(desiredWith(config, ['relay2.example.com'], 2));
    clock.advance(5_000);
    syncer.push(desiredWith(config, [], 3));
    clock.advance(20_000);
    await syncer.whenIdle();
    expect(writes()).toBe(0);
    expect(fake.count('ListResourceRecordSets')).toBe(1);
  });

  it('runs a full reconcile on the cron schedule, repairing drift', async () => {
    const { config, crons, syncer, events } = setup();
    syncer.start();
    expect(crons.map((c) => c.expression)).toEqual(['*/1 * * * *']);
    crons[0]?.run(); // nothing pushed yet: nothing to reconcile against
    await syncer.whenIdle();
    expect(fake.count('ListResourceRecordSets')).toBe(0);
    await syncer.syncOnce(desiredWith(config));
    syncer.push(desiredWith(config)); // the daemon hands over the current zone
    fake.remove('smtp.example.com', 'A', 'relay1.example.com'); // someone deletes an owned record by hand
    crons[0]?.run();
    await syncer.whenIdle();
    expect(fake.get('smtp.example.com', 'A', 'relay1.example.com')).toMatchObject({ weight: 1 });
    expect(events.at(-1)).toMatchObject({ provider: 'route53', result: 'ok' });
    await syncer.stop();
    expect(crons[0]?.stopped).toBe(true);
  });

  it('reports errors in status and events, and the next cycle recovers', async () => {
    const { config, syncer, events } = setup();
    fake.fail({ status: 500, code: 'InternalFailure', message: 'boom' }, 8);
    const [failed] = await syncer.syncOnce(desiredWith(config));
    expect(failed?.ok).toBe(false);
    expect(syncer.status()[0]).toMatchObject({ ok: false, error: expect.stringContaining('InternalFailure: boom') });
    expect(events).toEqual([{ provider: 'route53', result: 'error', serial: expect.any(Number), error: expect.stringContaining('InternalFailure: boom') }]);
    await syncer.syncOnce(desiredWith(config));
    expect(syncer.status()[0]).toMatchObject({ ok: true, error: null });
    await syncer.syncOnce(desiredWith(config));
    expect(events.at(-1)).toMatchObject({ provider: 'route53', result: 'unchanged' });
  });

  it('stop() drops a pending push', async () => {
    const { config, clock, syncer } = setup();
    syncer.push(desiredWith(config));
    expect(clock.pending()).toBe(1);
    await syncer.stop();
    expect(clock.pending()).toBe(0);
    clock.advance(60_000);
    await syncer.whenIdle();
    expect(writes()).toBe(0);
  });

  it('a dry run plans but writes nothing and leaves status alone', async () => {
    const { config, syncer } = setup();
    const [result] = await syncer.syncOnce(desiredWith(config), { dryRun: true });
    expect(result?.plan?.summary.creates).toBe(9);
    expect(writes()).toBe(0);
    expect(syncer.status()[0]?.at).toBeNull();
  });
});
