// The Reloader's rules, with a scripted load/prepare: one reload at a time; requests during one
// share ONE follow-up; none during shutdown (and one preparing is not applied); a refusal keeps the
// config and is counted; the first applied reload after it clears the error.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { ConfigError } from '../../src/errors.ts';
import { LiveConfig } from '../../src/daemon/live-config.ts';
import { Reloader } from '../../src/daemon/reloader.ts';
import type { Config } from '../../src/config/schema.ts';
import type { DesiredZone } from '../../src/model.ts';

const text = (interval: string) => `zone: example.com\npools:\n  - name: out\n    role: outbound\n    hosts: [{ name: h1.example.com, address: 192.0.2.1 }]\nprobe: { interval: ${interval}, timeout: 1s }\n`;

function setup() {
  const live = new LiveConfig(parseConfig(text('5s')), 1000);
  let next: () => Config = () => parseConfig(text('6s'));
  let gate: Promise<void> = Promise.resolve();
  const loads: number[] = [];
  const commits: Config[] = [];
  const counted: boolean[] = [];
  let serial = 100;
  let clock = 2000;
  const reloader = new Reloader({
    live,
    file: undefined,
    load: async () => {
      loads.push(clock);
      await gate;
      return next();
    },
    prepare: async (config) => (at) => {
      commits.push(config);
      live.swap(config, at);
      serial += 1;
      return { serial } as DesiredZone;
    },
    serial: () => serial,
    now: () => clock++,
    logger: silentLogger,
    counted: (applied) => counted.push(applied),
  });
  reloader.open();
  return {
    live, reloader, loads, commits, counted,
    hold() {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => open();
    },
    set next(make: () => Config) {
      next = make;
    },
  };
}

describe('Reloader', () => {
  it('applies a valid config and says what changed', async () => {
    const t = setup();
    const result = await t.reloader.request('api');
    expect(result).toMatchObject({ outcome: 'applied', trigger: 'api', changes: ['probe.interval: 5000 ms -> 6000 ms'], previousSerial: 100, serial: 101, errors: [] });
    expect(t.live.current.probe.interval).toBe(6000);
    expect(t.reloader.status()).toMatchObject({ reloads: 1, reloadFailures: 0, lastReload: result, lastReloadError: null });
    expect(t.counted).toEqual([true]);
  });

  it('requests during a reload share one follow-up that reads the file after the first finished', async () => {
    const t = setup();
    const release = t.hold();
    const first = t.reloader.request('SIGHUP');
    const storm = Array.from({ length: 10 }, () => t.reloader.request('SIGHUP'));
    await new Promise((r) => setImmediate(r));
    expect(t.loads).toHaveLength(1);
    t.next = () => parseConfig(text('7s')); // the operator's newest edit
    release();
    expect((await first).outcome).toBe('applied');
    const followUps = await Promise.all(storm);
    expect(new Set(followUps).size).toBe(1); // one result for all of them
    expect(t.loads).toHaveLength(2);
    expect(t.commits.map((c) => c.probe.interval)).toEqual([7000, 7000]);
    expect(followUps[0]).toMatchObject({ outcome: 'applied', changes: [] });
  });

  it('a refused reload keeps the config, counts, and stays visible until one applies', async () => {
    const t = setup();
    t.next = () => {
      throw new ConfigError('/etc/mxpool.yaml', [{ line: 3, col: 7, path: 'ttl', message: 'a TTL in seconds (got the string "x")' }]);
    };
    const refused = await t.reloader.request('SIGHUP');
    expect(refused).toMatchObject({ outcome: 'refused', errors: ['/etc/mxpool.yaml:3:7: ttl: a TTL in seconds (got the string "x")'], serial: 100, previousSerial: 100 });
    expect(t.live.current.probe.interval).toBe(5000);
    expect(t.commits).toEqual([]);
    expect(t.reloader.status()).toMatchObject({ reloads: 0, reloadFailures: 1, lastReloadError: { trigger: 'SIGHUP', errors: refused.errors }, loadedAt: 1000 });
    t.next = () => parseConfig(text('6s'));
    await t.reloader.request('api');
    expect(t.reloader.status()).toMatchObject({ reloads: 1, reloadFailures: 1, lastReloadError: null });
    expect(t.counted).toEqual([false, true]);
  });

  it('a change of a restart-only key is refused, with the reason', async () => {
    const t = setup();
    t.next = () => parseConfig(`${text('5s')}stateDir: /var/lib/elsewhere\n`);
    const result = await t.reloader.request('api');
    expect(result.outcome).toBe('refused');
    expect(result.errors).toEqual(['<config>:1:1: stateDir: changed from "./.mxpool" to "/var/lib/elsewhere", which a reload cannot apply (serve keeps writing the state file it opened at start-up): put the old value back, or restart serve to use it']);
  });

  it('before start-up is done: not done, and said so', async () => {
    const live = new LiveConfig(parseConfig(text('5s')), 1000);
    const reloader = new Reloader({ live, file: undefined, load: async () => parseConfig(text('6s')), prepare: async () => () => ({ serial: 1 }) as DesiredZone, serial: () => 1, now: () => 0, logger: silentLogger, counted: () => undefined });
    expect(await reloader.request('SIGHUP')).toMatchObject({ outcome: 'unavailable', errors: ['serve is still starting: reload again once it serves'] });
    expect(live.current.probe.interval).toBe(5000);
  });

  it('during shutdown: refused, and a reload that was preparing is not applied', async () => {
    const t = setup();
    const release = t.hold();
    const preparing = t.reloader.request('SIGHUP');
    const queued = t.reloader.request('api');
    t.reloader.close();
    release();
    expect(await preparing).toMatchObject({ outcome: 'unavailable', errors: ['serve is shutting down: the reload was not applied'] });
    expect(await queued).toMatchObject({ outcome: 'unavailable' });
    expect(await t.reloader.request('api')).toMatchObject({ outcome: 'unavailable', errors: ['serve is shutting down: the reload was not done'] });
    expect(t.commits).toEqual([]);
    expect(t.counted).toEqual([]); // not a config mistake
    expect(t.live.current.probe.interval).toBe(5000);
  });
});
