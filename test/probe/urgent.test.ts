// Probes of hosts in transition go ahead of the scheduled ones (src/probe/limit.ts, runner.ts), and
// a cluster peer's "down" makes a node look at once (`confirm`). Fake clock, injected probe.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { ConcurrencyLimit } from '../../src/probe/limit.ts';
import { ProbeRunner } from '../../src/probe/runner.ts';
import type { ProbeResult, ProbeTarget } from '../../src/probe/types.ts';
import { FakeClock, settle } from '../helpers/smtp/fake-clock.ts';

function config(hosts: number, probe: string) {
  const list = Array.from({ length: hosts }, (_, i) => `      - { name: h${i}.example.com, address: 127.0.1.${i + 1}, port: 25 }`).join('\n');
  return parseConfig(`zone: example.com\npools:\n  - name: out\n    role: outbound\n    hosts:\n${list}\nprobe: { hold: false, ${probe} }\n`);
}

const ok = (): ProbeResult => ({ ok: true, stage: 'quit', reason: '', code: 250, ms: 1, banner: null, extensions: [], tls: undefined, at: 0 });
const refused = (): ProbeResult => ({ ok: false, stage: 'connect', reason: 'connection refused', refused: true, code: null, ms: 1, banner: null, extensions: [], tls: undefined, at: 0 });

/** every probe takes `takes` ms of the fake clock (`slow` hosts longer); `down` hosts are refused (at once) */
function setup(hosts: number, probe: string, takes: number) {
  const clock = new FakeClock();
  const down = new Set<string>();
  const slow = new Map<string, number>();
  const calls: Array<{ host: string; at: number }> = [];
  const run = async (target: ProbeTarget): Promise<ProbeResult> => {
    calls.push({ host: target.name, at: clock.now() });
    await new Promise<void>((resolve) => clock.setTimeout(resolve, slow.get(target.name) ?? takes));
    return down.has(target.name) ? refused() : ok();
  };
  const runner = new ProbeRunner({ config: config(hosts, probe), logger: silentLogger, clock, random: () => 0.5, probe: run });
  return { clock, runner, down, slow, calls };
}

describe('ConcurrencyLimit: urgent tasks first', () => {
  it('lets an urgent task start before the tasks queued earlier, and urgent ones in their order', async () => {
    const limit = new ConcurrencyLimit(1);
    const order: string[] = [];
    let release!: () => void;
    const blocker = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    const task = (name: string) => async () => {
      order.push(name);
    };
    const all = [limit.run(task('a')), limit.run(task('b')), limit.run(task('u1'), true), limit.run(task('c')), limit.run(task('u2'), true)];
    expect(limit.queued).toBe(5);
    release();
    await Promise.all([blocker, ...all]);
    expect(order).toEqual(['u1', 'u2', 'a', 'b', 'c']);
  });

  it('promote: a plain task waiting becomes urgent and goes first', async () => {
    const limit = new ConcurrencyLimit(1);
    const order: string[] = [];
    let release!: () => void;
    const blocker = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    const ticket = { urgent: false };
    const all = [limit.run(async () => void order.push('a')), limit.run(async () => void order.push('b')), limit.run(async () => void order.push('t'), ticket)];
    limit.promote(ticket);
    release();
    await Promise.all([blocker, ...all]);
    expect(order).toEqual(['t', 'a', 'b']);
  });

  it('urgent tasks may run in the reserve above max while every slot is taken; plain ones never', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    const order: string[] = [];
    let release!: () => void;
    const blocker = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    const plain = limit.run(async () => void order.push('plain'));
    await limit.run(async () => void order.push('urgent'), true); // does not wait for the blocker
    expect(order).toEqual(['urgent']);
    expect(limit.queued).toBe(1);
    release();
    await Promise.all([blocker, plain]);
    expect(order).toEqual(['urgent', 'plain']);
  });
});

describe('ProbeRunner: hosts in transition are probed ahead of the queue', () => {
  it('a refused host is confirmed 200 ms later although scheduled probes queue for the only slot', async () => {
    // concurrency 1, 100 ms per probe, 20 hosts every second: the slot is always busy, ~10 probes wait
    const { clock, runner, down, calls } = setup(20, 'interval: 1s, timeout: 500ms, jitter: 0, fall: 2, concurrency: 1', 100);
    runner.start();
    await clock.advance(5000);
    // saturated: each host is probed every 2 s (20 x 100 ms), not every second
    const h5 = calls.filter((c) => c.host === 'h5.example.com').map((c) => c.at);
    expect(h5.at(-1)! - h5.at(-2)!).toBeGreaterThanOrEqual(1900);
    down.add('h0.example.com');
    await clock.advance(3000);
    const h0 = calls.filter((c) => c.host === 'h0.example.com' && c.at > clock.now() - 3000).map((c) => c.at);
    expect(runner.healthOf('h0.example.com').probed).toBe('unhealthy');
    // the refused probe, then the fast-fall re-probe 200 ms after its start: it waited for the slot
    // (<= 100 ms), not behind the ~10 scheduled probes queued (1 s)
    expect(h0[1]! - h0[0]!).toBeLessThanOrEqual(300);
    const stopped = runner.stop();
    await clock.advance(2000); // the probes in flight end
    await stopped;
  });

  it('the re-probe of a refused host does not wait for slots held by probes waiting out their timeout', async () => {
    // concurrency 2; then h1 and h2 take 5 s each time (an overloaded server) and h0 dies
    const { clock, runner, down, slow, calls } = setup(3, 'interval: 10s, timeout: 5s, jitter: 0, fall: 2, concurrency: 2', 10);
    runner.start();
    await clock.advance(100);
    slow.set('h1.example.com', 5000).set('h2.example.com', 5000);
    down.add('h0.example.com');
    await clock.advance(10_000); // h0, h1, h2 due again at once: h1 and h2 hold both slots for 5 s
    const h0 = () => calls.filter((c) => c.host === 'h0.example.com').map((c) => c.at);
    await clock.advance(6000);
    expect(runner.healthOf('h0.example.com').probed).toBe('unhealthy');
    const [, refusedAt, again] = h0();
    // the refused re-probe ran in the reserve 200 ms after the refusal, while h1 and h2 held the slots
    expect(again! - refusedAt!).toBeLessThanOrEqual(210);
    const stopped = runner.stop();
    await clock.advance(10_000);
    await stopped;
  });
});

describe('ProbeRunner.confirm (a peer saw the host fail)', () => {
  it('a host whose scheduled probe waits behind the queue: confirm sends that probe first', async () => {
    const { clock, runner, down, calls } = setup(20, 'interval: 1s, timeout: 500ms, jitter: 0, fall: 2, concurrency: 1', 100);
    runner.start();
    await clock.advance(5050);
    // find a moment when h0's scheduled probe is queued (due, not started)
    const h0 = () => calls.filter((c) => c.host === 'h0.example.com').length;
    let seen = h0();
    let promoted = false;
    for (let i = 0; i < 40 && !promoted; i++) {
      await clock.advance(50);
      const entry = (runner as unknown as { entries: Map<string, { waiting?: unknown }> }).entries.get('h0.example.com')!;
      if (entry.waiting) {
        seen = h0();
        down.add('h0.example.com');
        promoted = runner.confirm('h0.example.com');
      }
    }
    expect(promoted).toBe(true);
    await clock.advance(100); // the probe in the slot ends, h0's goes next (the reserve lets it in at once)
    expect(h0()).toBe(seen + 1);
    const stopped = runner.stop();
    await clock.advance(5000);
    await stopped;
  });

  it('probes a host this node still sees up at once, and the usual fall withdraws it', async () => {
    const { clock, runner, down, calls } = setup(3, 'interval: 60s, timeout: 1s, jitter: 0, fall: 2, concurrency: 4', 10);
    runner.start();
    await clock.advance(100);
    expect(calls).toHaveLength(3);
    down.add('h1.example.com');
    await clock.advance(1000); // nothing probes h1 before the next minute
    expect(calls).toHaveLength(3);
    expect(runner.confirm('h1.example.com')).toBe(true);
    expect(runner.confirm('h1.example.com')).toBe(false); // a probe is in flight
    await clock.advance(20);
    expect(runner.healthOf('h1.example.com')).toMatchObject({ probed: 'healthy', failures: 1 });
    expect(runner.confirm('h1.example.com')).toBe(false); // the failure is being confirmed already
    await clock.advance(300); // fast fall: 200 ms after the confirm probe started
    expect(runner.healthOf('h1.example.com').probed).toBe('unhealthy');
    expect(runner.confirm('h1.example.com')).toBe(false); // down here too
    expect(calls.filter((c) => c.host === 'h1.example.com')).toHaveLength(3);
    const stopped = runner.stop();
    await clock.advance(100);
    await stopped;
  });

  it('a host that is fine here stays up: one probe, no withdrawal; not again within the gap', async () => {
    const { clock, runner, calls } = setup(2, 'interval: 60s, timeout: 1s, jitter: 0, fall: 2', 10);
    runner.start();
    await clock.advance(1000);
    expect(runner.confirm('h0.example.com')).toBe(true);
    await clock.advance(20);
    expect(runner.healthOf('h0.example.com')).toMatchObject({ probed: 'healthy', failures: 0 });
    expect(runner.confirm('h0.example.com')).toBe(false); // started less than 250 ms ago
    await clock.advance(300);
    expect(runner.confirm('h0.example.com')).toBe(true);
    await clock.advance(20);
    expect(calls.filter((c) => c.host === 'h0.example.com')).toHaveLength(3);
    expect(runner.confirm('unknown.example.com')).toBe(false);
    await runner.stop();
  });

  it('does nothing before start and after stop', async () => {
    const { clock, runner, calls } = setup(1, 'interval: 60s, timeout: 1s', 10);
    expect(runner.confirm('h0.example.com')).toBe(false);
    runner.start();
    await clock.advance(1000);
    await runner.stop();
    expect(runner.confirm('h0.example.com')).toBe(false);
    await settle();
    expect(calls).toHaveLength(1);
  });
});
