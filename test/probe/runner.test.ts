// Scheduling of the probe runner, with a fake clock and an injected probe function.
// (Real SMTP behaviour is covered by smtp-matrix, hold and postfix tests.)
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { ProbeRunner, UnknownHostError, type TransitionEvent } from '../../src/probe/runner.ts';
import type { ProbeResult, ProbeTarget } from '../../src/probe/types.ts';
import { FakeClock, settle } from '../helpers/smtp/fake-clock.ts';

function config(hosts: number, probe: string) {
  const list = Array.from({ length: hosts }, (_, i) => `      - { name: h${i}.example.com, address: 127.0.1.${i + 1}, port: 25 }`).join('\n');
  return parseConfig(`zone: example.com\npools:\n  - name: out\n    role: outbound\n    hosts:\n${list}\nprobe: { hold: false, ${probe} }\n`);
}

function result(ok: boolean, extra: Partial<ProbeResult> = {}): ProbeResult {
  return { ok, stage: ok ? 'quit' : 'connect', reason: ok ? '' : 'scripted failure', code: null, ms: 1, banner: null, extensions: [], tls: undefined, at: 0, ...extra };
}

/** A probe whose outcome per host is set by the test; records every call. */
function scripted(clock: FakeClock) {
  const outcome = new Map<string, ProbeResult>();
  /** per host, how long its probes take on the fake clock */
  const slow = new Map<string, number>();
  const calls: Array<{ host: string; at: number }> = [];
  const probe = async (target: ProbeTarget): Promise<ProbeResult> => {
    calls.push({ host: target.name, at: clock.now() });
    const takes = slow.get(target.name);
    if (takes !== undefined) await new Promise<void>((resolve) => clock.setTimeout(resolve, takes));
    return outcome.get(target.name) ?? result(true);
  };
  return { outcome, calls, probe, slow };
}

function setup(hosts: number, probe: string, random = () => 0.5) {
  const clock = new FakeClock();
  const script = scripted(clock);
  const runner = new ProbeRunner({ config: config(hosts, probe), logger: silentLogger, clock, random, probe: script.probe });
  const transitions: TransitionEvent[] = [];
  runner.on('transition', (event) => transitions.push(event));
  return { clock, runner, transitions, ...script };
}

describe('ProbeRunner scheduling (fake clock)', () => {
  it('probes every host at start; one success brings a cold host up', async () => {
    const { clock, runner, transitions, calls } = setup(3, 'interval: 5s, timeout: 1s, jitter: 0.1');
    runner.start();
    await clock.advance(500); // first round lands within jitter x interval
    expect(calls.map((c) => c.host).sort()).toEqual(['h0.example.com', 'h1.example.com', 'h2.example.com']);
    expect(transitions.map((t) => `${t.host}:${t.from}->${t.to}`).sort()).toEqual([
      'h0.example.com:unhealthy->healthy',
      'h1.example.com:unhealthy->healthy',
      'h2.example.com:unhealthy->healthy',
    ]);
    expect(transitions[0]?.result?.ok).toBe(true);
    expect([...runner.snapshot().values()].every((h) => h.state === 'healthy')).toBe(true);
    await runner.stop();
  });

  it('spaces probes by interval x (1 ± jitter)', async () => {
    const low = setup(1, 'interval: 10s, timeout: 1s, jitter: 0.2', () => 0);
    low.runner.start();
    await low.clock.advance(0);
    expect(low.clock.delays()).toEqual([8000]);
    await low.runner.stop();
    const high = setup(1, 'interval: 10s, timeout: 1s, jitter: 0.2', () => 0.999999);
    high.runner.start();
    await high.clock.advance(999); // the first round is spread over at most a second
    expect(high.clock.delays()[0]).toBeGreaterThan(11_990);
    await high.runner.stop();
  });

  it('withdraws a failing host after `fall` probes: the failures after the first are confirmed one timeout apart', async () => {
    const { clock, runner, transitions, outcome, calls } = setup(1, 'interval: 5s, timeout: 1s, jitter: 0, rise: 2, fall: 3');
    runner.start();
    await clock.advance(0);
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('healthy');
    outcome.set('h0.example.com', result(false, { stage: 'greeting', reason: 'greeting 554 go away' }));
    await clock.advance(6_000);
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('healthy');
    await clock.advance(1_000);
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('unhealthy');
    const down = transitions.at(-1);
    expect(down).toMatchObject({ host: 'h0.example.com', pool: 'out', from: 'healthy', to: 'unhealthy' });
    expect(down?.result?.reason).toBe('greeting 554 go away');
    expect(calls.map((c) => c.at - calls[0]!.at)).toEqual([0, 5000, 6000, 7000]);
    expect(clock.delays()).toEqual([5000]); // down: the regular interval again
    await runner.stop();
  });

  it('spaces probes start to start: a probe that waits out its timeout does not delay the next one', async () => {
    const { clock, runner, outcome, calls, slow } = setup(1, 'interval: 5s, timeout: 3s, jitter: 0, rise: 2, fall: 2');
    runner.start();
    await clock.advance(0);
    slow.set('h0.example.com', 3000); // a silent host: every probe takes its full timeout
    outcome.set('h0.example.com', result(false, { stage: 'greeting', reason: 'timed out after 3000 ms' }));
    await clock.advance(5000 + 3000); // regular probe at 5 s fails at 8 s; confirmation starts at once
    await clock.advance(3000); // and fails at 11 s: down after interval + fall x timeout
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('unhealthy');
    const t0 = calls[0]!.at;
    expect(calls.map((c) => c.at - t0)).toEqual([0, 5000, 8000]);
    await clock.advance(10_000);
    // down: probes every 5 s start to start (8 s, 13 s, 18 s), not every 5 s + 3 s
    expect(calls.map((c) => c.at - t0)).toEqual([0, 5000, 8000, 13_000, 18_000]);
    await runner.stop();
  });

  it('re-probes a recovering host after half an interval, so it returns within rise x interval', async () => {
    const { clock, runner, outcome, calls, transitions } = setup(1, 'interval: 10s, timeout: 1s, jitter: 0, rise: 3, fall: 1');
    outcome.set('h0.example.com', result(false));
    runner.start();
    await clock.advance(0); // cold start, first probe fails: down
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('unhealthy');
    outcome.delete('h0.example.com'); // recovers
    await clock.advance(10_000); // success 1 at 10 s
    await clock.advance(5_000); // success 2 at 15 s
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('unhealthy');
    await clock.advance(5_000); // success 3 at 20 s: up
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('healthy');
    expect(calls.map((c) => c.at - calls[0]!.at)).toEqual([0, 10_000, 15_000, 20_000]);
    expect(transitions.at(-1)).toMatchObject({ from: 'unhealthy', to: 'healthy' });
    expect(clock.delays()).toEqual([10_000]); // up: the regular interval again
    await runner.stop();
  });

  it('a host that answers every other probe never rises nor falls, however fast it is re-probed', async () => {
    const { clock, runner, outcome, transitions } = setup(1, 'interval: 2s, timeout: 1s, jitter: 0, rise: 2, fall: 2');
    runner.start();
    await clock.advance(0);
    const flips = transitions.length;
    let up = true;
    runner.on('probe', () => {
      up = !up;
      if (up) outcome.delete('h0.example.com');
      else outcome.set('h0.example.com', result(false));
    });
    await clock.advance(60_000);
    expect(transitions.length).toBe(flips);
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('healthy');
    await runner.stop();
  });

  it('fast fall: refused probes of a healthy host repeat after 200 ms, so it is withdrawn in well under a second', async () => {
    const { clock, runner, outcome, calls } = setup(1, 'interval: 5s, timeout: 1s, jitter: 0, fall: 3');
    runner.start();
    await clock.advance(0);
    outcome.set('h0.example.com', result(false, { reason: 'connection refused', refused: true }));
    const t0 = clock.now();
    await clock.advance(5000); // the next regular probe is refused
    await clock.advance(400); // two fast re-probes
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('unhealthy');
    const times = calls.slice(1).map((c) => c.at - t0);
    expect(times).toEqual([5000, 5200, 5400]);
    // once down, back to the normal interval
    expect(clock.delays()).toEqual([5000]);
    await runner.stop();
  });

  it('never runs more than probe.concurrency probes at once', async () => {
    const clock = new FakeClock();
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const probe = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
      return result(true);
    };
    const runner = new ProbeRunner({ config: config(7, 'concurrency: 2, timeout: 1s'), logger: silentLogger, clock, probe });
    const all = runner.probeAllOnce();
    let finished = 0;
    while (finished < 7) {
      await settle();
      expect(running).toBeLessThanOrEqual(2);
      const next = release.shift();
      if (next) {
        next();
        finished += 1;
      }
    }
    const results = await all;
    expect(results.size).toBe(7);
    expect(peak).toBe(2);
  });

  it('never probes one host twice at once: a request during a probe joins it and adds one follow-up', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const release: Array<() => void> = [];
    const probe = async () => {
      calls += 1;
      await new Promise<void>((resolve) => release.push(resolve));
      return result(true);
    };
    const runner = new ProbeRunner({ config: config(1, 'interval: 5s, timeout: 1s'), logger: silentLogger, clock, probe });
    runner.start();
    await clock.advance(600);
    expect(calls).toBe(1);
    const a = runner.probeNow('h0.example.com');
    const b = runner.probeNow('h0.example.com');
    await settle();
    expect(calls).toBe(1);
    release.shift()?.();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toBe(rb);
    await settle();
    expect(calls).toBe(2); // exactly one follow-up for the two requests
    release.shift()?.();
    await settle();
    await runner.stop();
    expect(clock.pending).toBe(0);
  });

  it('drain and undrain emit transitions and show in the snapshot; probes keep running', async () => {
    const { clock, runner, transitions, calls } = setup(2, 'interval: 5s, timeout: 1s, jitter: 0');
    runner.start();
    await clock.advance(0);
    const drained = runner.drain('H0.example.com.');
    expect(drained).toMatchObject({ host: 'h0.example.com', state: 'draining', withdrawnAt: clock.now() });
    expect(transitions.at(-1)).toMatchObject({ from: 'healthy', to: 'draining' });
    expect(transitions.at(-1)?.result).toBeUndefined();
    await clock.advance(5000);
    expect(calls.filter((c) => c.host === 'h0.example.com')).toHaveLength(2);
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('draining');
    expect(runner.undrain('h0.example.com').state).toBe('healthy');
    expect(() => runner.drain('nope.example.com')).toThrow(UnknownHostError);
    await runner.stop();
  });

  it('restores saved health: a saved healthy host needs `fall` failures, not one', async () => {
    const { clock, runner, outcome, transitions } = setup(1, 'interval: 5s, timeout: 1s, jitter: 0, fall: 2');
    runner.restore([{ host: 'h0.example.com', pool: 'out', state: 'healthy', since: 42 }, { host: 'gone.example.com', pool: 'out', state: 'healthy', since: 1 }]);
    expect(runner.snapshot().get('h0.example.com')).toEqual({ host: 'h0.example.com', pool: 'out', state: 'healthy', since: 42 });
    outcome.set('h0.example.com', result(false));
    runner.start();
    await clock.advance(0);
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('healthy');
    expect(transitions).toHaveLength(0);
    await clock.advance(5000);
    expect(runner.snapshot().get('h0.example.com')?.state).toBe('unhealthy');
    await runner.stop();
  });

  it('keeps the last 60 results per host and the last result of each', async () => {
    const { clock, runner } = setup(1, 'interval: 1s, timeout: 500ms, jitter: 0');
    runner.start();
    await clock.advance(70_000);
    expect(runner.history('h0.example.com')).toHaveLength(60);
    expect(runner.lastResults().get('h0.example.com')?.ok).toBe(true);
    await runner.stop();
    expect(clock.pending).toBe(0);
  });

  it('a probe function that throws is a failed probe, not a crash', async () => {
    const clock = new FakeClock();
    const runner = new ProbeRunner({ config: config(1, 'timeout: 1s'), logger: silentLogger, clock, probe: async () => { throw new Error('boom'); } });
    const results = await runner.probeAllOnce();
    expect(results.get('h0.example.com')).toMatchObject({ ok: false, reason: 'probe error: boom' });
  });

  it('a listener that throws does not stop the loop', async () => {
    const { clock, runner, calls } = setup(1, 'interval: 1s, timeout: 500ms, jitter: 0');
    runner.on('probe', () => {
      throw new Error('listener bug');
    });
    runner.start();
    await clock.advance(3000);
    expect(calls.length).toBe(4);
    await runner.stop();
  });

  it('with probe.schedule, probes on the cron expression (real time)', async () => {
    const runner = new ProbeRunner({ config: config(2, 'schedule: "* * * * * *", timeout: 500ms'), logger: silentLogger, probe: async () => result(true) });
    const seen: string[] = [];
    runner.on('probe', (host) => seen.push(host));
    runner.start();
    const deadline = Date.now() + 15_000;
    while (seen.length < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await runner.stop();
    // the initial round (2) plus at least two cron ticks (2 each)
    expect(seen.length).toBeGreaterThanOrEqual(6);
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(seen.length).toBe(count); // stopped means stopped
  });
});
