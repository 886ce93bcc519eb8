// ProbeRunner.reconfigure (a config reload) with a fake clock and a scripted probe: hosts that stay
// keep their health and counters (no re-rise), added hosts start from their first probe, removed
// hosts are forgotten (a probe of theirs in flight is discarded), new timing applies at once.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { probeOptionsFrom } from '../../src/probe/options.ts';
import { ProbeRunner, type TransitionEvent } from '../../src/probe/runner.ts';
import type { ProbeResult, ProbeTarget } from '../../src/probe/types.ts';
import { FakeClock } from '../helpers/smtp/fake-clock.ts';

function config(hosts: string[], probe = 'interval: 10s, timeout: 1s, jitter: 0, rise: 3, fall: 2') {
  const list = hosts.map((host) => `      - { name: ${host}.example.com, address: 192.0.2.${host.replace(/\D/g, '') || 1} }`).join('\n');
  return parseConfig(`zone: example.com\npools:\n  - name: out\n    role: outbound\n    hosts:\n${list}\nprobe: { hold: false, helo: probe.example.com, ${probe} }\n`);
}

function result(ok: boolean, at = 0): ProbeResult {
  return { ok, stage: ok ? 'quit' : 'connect', reason: ok ? '' : 'scripted failure', code: null, ms: 1, banner: null, extensions: [], tls: undefined, at };
}

function setup(initial = config(['h1', 'h2'])) {
  const clock = new FakeClock();
  const outcome = new Map<string, boolean>();
  const slow = new Map<string, number>();
  const calls: string[] = [];
  const probe = async (target: ProbeTarget): Promise<ProbeResult> => {
    calls.push(target.name);
    const takes = slow.get(target.name);
    if (takes !== undefined) await new Promise<void>((resolve) => clock.setTimeout(resolve, takes));
    return result(outcome.get(target.name) ?? true, clock.now());
  };
  const runner = new ProbeRunner({ config: initial, logger: silentLogger, clock, random: () => 0.5, probe });
  const transitions: string[] = [];
  const probes: string[] = [];
  runner.on('transition', (event: TransitionEvent) => transitions.push(`${event.host}:${event.from}->${event.to}`));
  runner.on('probe', (host) => probes.push(host));
  const state = (host: string) => runner.snapshot().get(`${host}.example.com`)?.state;
  return { clock, runner, outcome, slow, calls, transitions, probes, state };
}

const options = (c: ReturnType<typeof config>) => probeOptionsFrom(c);

describe('ProbeRunner.reconfigure', () => {
  it('a host that stays keeps its health and its rise counter: an unhealthy one is not re-risen, a healthy one not re-checked', async () => {
    const t = setup();
    t.outcome.set('h2.example.com', false);
    t.runner.start();
    await t.clock.advance(0);
    expect([t.state('h1'), t.state('h2')]).toEqual(['healthy', 'unhealthy']);
    t.outcome.set('h2.example.com', true);
    await t.clock.advance(10_000); // one success of the rise: 3
    expect(t.runner.healthOf('h2.example.com').successes).toBe(1);
    const next = config(['h1', 'h2', 'h3']);
    t.transitions.length = 0;
    t.runner.reconfigure(next, { probeOptions: options(next), first: new Map([['h3.example.com', result(true, t.clock.now())]]) });
    expect([t.state('h1'), t.state('h2'), t.state('h3')]).toEqual(['healthy', 'unhealthy', 'healthy']);
    expect(t.runner.healthOf('h2.example.com').successes).toBe(1); // the streak goes on
    expect(t.transitions).toEqual(['h3.example.com:unhealthy->healthy']); // the added host, from its first probe
    await t.clock.advance(5_000); // rising: re-probed after half an interval
    expect(t.state('h2')).toBe('unhealthy');
    await t.clock.advance(5_000);
    expect(t.state('h2')).toBe('healthy'); // rise 3 reached across the reload
    await t.runner.stop();
  });

  it('an added host whose first probe failed starts unhealthy and needs rise successes, like a cold start', async () => {
    const t = setup();
    t.runner.start();
    await t.clock.advance(0);
    const next = config(['h1', 'h2', 'h3']);
    t.outcome.set('h3.example.com', false);
    t.runner.reconfigure(next, { probeOptions: options(next), first: new Map([['h3.example.com', result(false, t.clock.now())]]) });
    expect(t.state('h3')).toBe('unhealthy');
    expect(t.runner.healthOf('h3.example.com').checked).toBe(true);
    t.outcome.set('h3.example.com', true);
    await t.clock.advance(10_000);
    expect(t.state('h3')).toBe('unhealthy'); // one success is not rise: 3
    await t.runner.stop();
  });

  it('an added host without a first probe (the reload stopped waiting) is out of DNS and probed at once', async () => {
    const t = setup();
    t.runner.start();
    await t.clock.advance(0);
    t.calls.length = 0;
    const next = config(['h1', 'h2', 'h3']);
    t.runner.reconfigure(next, { probeOptions: options(next) });
    expect(t.state('h3')).toBe('unhealthy');
    await t.clock.advance(0);
    expect(t.calls).toEqual(['h3.example.com']);
    expect(t.state('h3')).toBe('healthy');
    await t.runner.stop();
  });

  it('a removed host is forgotten; its probe in flight is discarded (no event, no health)', async () => {
    const t = setup();
    t.runner.start();
    await t.clock.advance(0);
    t.slow.set('h2.example.com', 800);
    t.outcome.set('h2.example.com', false);
    await t.clock.advance(10_000); // h2's next probe is now in flight for 800 ms
    t.probes.length = 0;
    t.transitions.length = 0;
    const next = config(['h1']);
    t.runner.reconfigure(next, { probeOptions: options(next) });
    expect([...t.runner.snapshot().keys()]).toEqual(['h1.example.com']);
    await t.clock.advance(1_000);
    expect(t.probes).toEqual([]);
    expect(t.transitions).toEqual([]);
    expect(() => t.runner.healthOf('h2.example.com')).toThrow(/no host named h2.example.com/);
    await t.clock.advance(30_000);
    expect(t.calls.filter((host) => host === 'h2.example.com')).toHaveLength(2); // the first round and the one in flight: no more
    await t.runner.stop();
  });

  it('disabled in the new config: withdrawn at once (a transition), probes go on', async () => {
    const t = setup();
    t.runner.start();
    await t.clock.advance(0);
    const next = parseConfig(`zone: example.com\npools:\n  - name: out\n    role: outbound\n    hosts:\n      - { name: h1.example.com, address: 192.0.2.1 }\n      - { name: h2.example.com, address: 192.0.2.2, disabled: true }\nprobe: { hold: false, helo: probe.example.com, interval: 10s, timeout: 1s, jitter: 0, rise: 3, fall: 2 }\n`);
    t.runner.reconfigure(next, { probeOptions: options(next) });
    expect(t.state('h2')).toBe('disabled');
    expect(t.runner.snapshot().get('h2.example.com')?.withdrawnAt).toBe(t.clock.now());
    expect(t.transitions).toContain('h2.example.com:healthy->disabled');
  });

  it('a shorter interval pulls the pending probes in; a longer one waits for the one already due', async () => {
    const t = setup(config(['h1'], 'interval: 60s, timeout: 1s, jitter: 0'));
    t.runner.start();
    await t.clock.advance(0);
    expect(t.clock.delays()).toEqual([60_000]);
    const faster = config(['h1'], 'interval: 5s, timeout: 1s, jitter: 0');
    t.runner.reconfigure(faster, { probeOptions: options(faster) });
    expect(t.clock.delays()).toEqual([5_000]);
    await t.clock.advance(5_000);
    expect(t.clock.delays()).toEqual([5_000]); // and every interval after
    const slower = config(['h1'], 'interval: 30s, timeout: 1s, jitter: 0');
    t.runner.reconfigure(slower, { probeOptions: options(slower) });
    expect(t.clock.delays()).toEqual([5_000]);
    await t.clock.advance(5_000);
    expect(t.clock.delays()).toEqual([30_000]);
    await t.runner.stop();
  });

  it('probe settings apply to the next probe; rise/fall to the next result', async () => {
    const seen: string[] = [];
    const clock = new FakeClock();
    const first = config(['h1']);
    const runner = new ProbeRunner({ config: first, logger: silentLogger, clock, random: () => 0.5, probe: async (_target, opts) => (seen.push(`${opts.helo}/${opts.timeoutMs}`), result(false, clock.now())) });
    runner.start();
    await clock.advance(0);
    const next = parseConfig(`zone: example.com\npools:\n  - name: out\n    role: outbound\n    hosts:\n      - { name: h1.example.com, address: 192.0.2.1 }\nprobe: { hold: false, helo: other.example.com, interval: 10s, timeout: 2s, jitter: 0, rise: 1, fall: 1 }\n`);
    runner.reconfigure(next, { probeOptions: options(next) });
    await clock.advance(10_000);
    expect(seen).toEqual(['probe.example.com/1000', 'other.example.com/2000']);
    await runner.stop();
  });

  it('probeFirst probes endpoints outside the runner within the concurrency limit, and fills the map as they end', async () => {
    const t = setup(config(['h1'], 'interval: 10s, timeout: 1s, jitter: 0, concurrency: 1'));
    t.slow.set('h7.example.com', 300);
    t.slow.set('h8.example.com', 300);
    const filled = new Map<string, ProbeResult>();
    const targets = [{ name: 'h7.example.com', address: '192.0.2.7', port: 25 }, { name: 'h8.example.com', address: '192.0.2.8', port: 25 }];
    const done = t.runner.probeFirst(targets, options(config(['h1'])), filled);
    await t.clock.advance(300);
    expect([...filled.keys()]).toEqual(['h7.example.com']); // one at a time
    await t.clock.advance(300);
    expect((await done).size).toBe(2);
    expect([...t.runner.snapshot().keys()]).toEqual(['h1.example.com']); // not hosts of the runner
  });
});
