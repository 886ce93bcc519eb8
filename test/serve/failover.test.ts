// End-to-end faults against `mxpool serve` (its own process) over real SMTP host processes, observed
// the way the world sees them: `dig` against the built-in nameserver.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDaemon, waitFor, digSerial, type TestDaemon } from '../helpers/daemon.ts';
import type { ApiHost, ApiState } from '../../src/http/types.ts';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

async function hostState(daemon: TestDaemon, name: string): Promise<ApiHost> {
  const state = (await (await fetch(`${daemon.url}/api/state`)).json()) as ApiState;
  return state.pools.flatMap((p) => p.hosts).find((h) => h.name === name)!;
}

const names = (daemon: TestDaemon) => daemon.dig('mx.example.com', 'A');

/** All hosts healthy by their probes (not merely published by the whenAllDown fallback). */
async function allHealthy(daemon: TestDaemon): Promise<void> {
  await waitFor('every host healthy', async () => {
    const state = (await (await fetch(`${daemon.url}/api/state`)).json()) as ApiState;
    return state.pools.every((pool) => pool.hosts.every((host) => host.state === 'healthy'));
  });
}
const exchanges = async (daemon: TestDaemon) => (await daemon.dig('example.com', 'MX')).map((line) => line.split(' ')[1]).sort();

// each test starts serve (up to 20 s), waits for every host healthy, then for each step: on a loaded
// machine the whole takes longer than the default 30 s, every step still waiting for its condition
describe('serve: faults, seen through dig', { timeout: 120_000 }, () => {
  it('a SIGKILLed SMTP server leaves A and MX at once — not after fall x interval', async () => {
    // interval 10 s: the schedule alone would need ~20 s; the held session's loss and fast fall do it
    // a stand-in secondary that records the NOTIFYs it gets (opcode 4, the zone, from the nameserver)
    const { createSocket } = await import('node:dgram');
    const secondary = createSocket('udp4');
    const notifies: Array<{ opcode: number; from: string }> = [];
    secondary.on('message', (message, remote) => {
      notifies.push({ opcode: ((message[2] as number) >> 3) & 0x0f, from: remote.address });
      const ack = Buffer.from(message.subarray(0, 12));
      ack[2] = (ack[2] as number) | 0x80; // QR: a response, so the sender stops retrying
      ack.writeUInt16BE(0, 4);
      secondary.send(ack, remote.port, remote.address);
    });
    await new Promise<void>((resolve) => secondary.bind(5399, '127.0.3.79', resolve));
    d = await startTestDaemon({ addresses: ['127.0.3.81', '127.0.3.82', '127.0.3.83'], dns: '127.0.3.80:5303', http: '127.0.3.80:8103', probe: { interval: '10s', timeout: '1s' }, notify: ['127.0.3.79:5399'] });
    await allHealthy(d);
    await waitFor('all three in DNS', async () => (await names(d!)).length === 3);
    // let the runner's first scheduled round (spread over 1 s) open the held sessions: a server
    // that dies while its held session is still being opened is only caught by the next probe
    await new Promise((r) => setTimeout(r, 1500));
    const before = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    notifies.length = 0;
    const killedAt = performance.now();
    await d.hosts[1]!.kill('SIGKILL');
    const took = await waitFor('mx2 out of A', async () => !(await names(d!)).includes('127.0.3.82'), 8000, 20).catch(async (error: Error) => {
      const mx2 = await hostState(d!, 'mx2.example.com');
      throw new Error(`${error.message}\n${JSON.stringify(mx2)}\n${d!.logs().split('\n').slice(-30).join('\n')}`);
    });
    console.log(`SIGKILL -> out of DNS: ${(performance.now() - killedAt).toFixed(0)} ms (poll ${took.toFixed(0)} ms)`);
    expect((await names(d)).sort()).toEqual(['127.0.3.81', '127.0.3.83']);
    expect(await exchanges(d)).toEqual(['mx1.example.com.', 'mx3.example.com.']);
    expect(await digSerial(d.dnsServer, d.dnsPort, 'example.com')).toBeGreaterThan(before);
    const mx2 = await hostState(d, 'mx2.example.com');
    expect(mx2.state).toBe('unhealthy');
    expect(mx2.lastProbe?.reason).toMatch(/refused|reset|closed/i);
    // the zone change went out to the secondary as a NOTIFY
    await waitFor('a NOTIFY after the change', () => notifies.length > 0);
    expect(notifies.every((n) => n.opcode === 4 && n.from === '127.0.3.80')).toBe(true);
    secondary.close();
  });

  it('a blackholed host (accepts, never answers) leaves after the probe timeouts, with a timeout reason', async () => {
    d = await startTestDaemon({ addresses: ['127.0.3.85', '127.0.3.86'], dns: '127.0.3.84:5303', http: '127.0.3.84:8103', probe: { interval: '2s', timeout: '500ms', fall: 2 } });
    await allHealthy(d);
    await waitFor('both in DNS', async () => (await names(d!)).length === 2);
    const start = performance.now();
    await d.hosts[0]!.blackhole();
    await waitFor('mx1 out of A', async () => !(await names(d!)).includes('127.0.3.85'), 15_000, 20);
    console.log(`blackhole -> out of DNS: ${(performance.now() - start).toFixed(0)} ms (interval 2000 ms + fall 2 x timeout 500 ms = 3000 ms)`);
    expect(await names(d)).toEqual(['127.0.3.86']);
    const mx1 = await hostState(d, 'mx1.example.com');
    expect(mx1.state).toBe('unhealthy');
    expect(mx1.lastProbe).toMatchObject({ ok: false });
    expect(mx1.lastProbe?.reason).toMatch(/timed out/);
    // `fall` failed probes in a row led there, the second right after the first (confirmed at
    // once, not an interval later): interval + fall x timeout, not fall x (interval + timeout)
    const [first, second] = mx1.history.slice(-2) as [{ ok: boolean; at: number; ms: number }, { ok: boolean; at: number; ms: number }];
    const why = JSON.stringify(mx1.history.slice(-4));
    expect([first.ok, second.ok], why).toEqual([false, false]);
    expect(first.ms).toBeGreaterThanOrEqual(490);
    expect(second.at - second.ms - first.at, why).toBeLessThan(1000);
    // and back when the path opens again (rise = 2 successes)
    await d.hosts[0]!.smtp();
    await waitFor('mx1 back in A', async () => (await names(d!)).includes('127.0.3.85'), 15_000);
  });

  it('a flapping host (up, down, up, down...) does not make the zone change: rise/fall are never met', async () => {
    d = await startTestDaemon({ addresses: ['127.0.3.88', '127.0.3.89'], dns: '127.0.3.87:5303', http: '127.0.3.87:8103', probe: { interval: '600ms', timeout: '500ms', rise: 2, fall: 2, hold: false } });
    await allHealthy(d);
    await waitFor('both in DNS', async () => (await names(d!)).length === 2);
    await d.hosts[0]!.flap();
    const serial = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    const seen = new Set<number>();
    const started = performance.now();
    while (performance.now() - started < 6000) {
      seen.add(await digSerial(d.dnsServer, d.dnsPort, 'example.com'));
      expect((await names(d)).sort()).toEqual(['127.0.3.88', '127.0.3.89']);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...seen]).toEqual([serial]);
    const mx1 = await hostState(d, 'mx1.example.com');
    expect(mx1.state).toBe('healthy');
    // it really flapped: the probes alternate
    const recent = mx1.history.slice(-10).map((p) => p.ok);
    expect(recent.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < recent.length; i++) expect(recent[i]).toBe(!recent[i - 1]);
    expect(d.logs()).not.toMatch(/"host":"mx1.example.com"[^\n]*"to":"unhealthy"/);
  });

  it('after a crash of mxpool mid-failure, the restarted one answers at once from the saved state', async () => {
    d = await startTestDaemon({ addresses: ['127.0.3.91', '127.0.3.92'], dns: '127.0.3.90:5303', http: '127.0.3.90:8103', probe: { interval: '1s', timeout: '500ms' } });
    await allHealthy(d);
    await waitFor('both in DNS', async () => (await names(d!)).length === 2);
    await d.hosts[1]!.kill('SIGKILL');
    await waitFor('mx2 out of DNS', async () => !(await names(d!)).includes('127.0.3.92'));
    const stateFile = join(d.stateDir, 'state.json');
    await waitFor('state file records mx2 down', () => existsSync(stateFile) && /"mx2\.example\.com",\s*"pool": "inbound",\s*"state": "unhealthy"/.test(readFileSync(stateFile, 'utf8')));
    const serialBefore = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    // no clean shutdown: the state on disk is all the next one has
    const killed = await d.stopDaemon('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    // the state file's writes are throttled, so a crash can leave its serial behind the one served
    // (a secondary already holds that one): the served-serial file, written at every publish, says more
    expect(readFileSync(join(d.stateDir, 'served-serial'), 'utf8')).toBe(`example.com ${serialBefore}\n`);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { serial: number };
    writeFileSync(stateFile, JSON.stringify({ ...saved, serial: serialBefore - 1 }));

    await d.startDaemon();
    // the very first answers: from the saved state, mx2 still dead and not guessed "up"
    const first = await names(d);
    expect(first).toEqual(['127.0.3.91']);
    const state = (await (await fetch(`${d.url}/api/state`)).json()) as ApiState;
    expect(state.startedFrom).toBe('state-file');
    expect(await digSerial(d.dnsServer, d.dnsPort, 'example.com')).toBeGreaterThan(serialBefore);
    // through the first probe rounds it stays out, and comes back when it is up again
    for (let i = 0; i < 10; i++) {
      expect(await names(d)).toEqual(['127.0.3.91']);
      await new Promise((r) => setTimeout(r, 100));
    }
    await d.hosts[1]!.restart();
    await waitFor('mx2 back after restart', async () => (await names(d!)).includes('127.0.3.92'), 15_000);
  });

  it('with a corrupt (or no) state file, the first answer comes after the first probe round: a dead host is never published as up', async () => {
    d = await startTestDaemon({ addresses: ['127.0.3.94', '127.0.3.95'], dns: '127.0.3.93:5303', http: '127.0.3.93:8103', probe: { interval: '3s', timeout: '2s' } });
    await allHealthy(d);
    await waitFor('both in DNS', async () => (await names(d!)).length === 2);
    await d.stopDaemon('SIGTERM');
    await d.hosts[1]!.kill('SIGKILL');
    // a corrupt state file (a disk hiccup, a bad edit): a warning, then the same as no state at all
    writeFileSync(join(d.stateDir, 'state.json'), '{"version":1,"zone":"example.com","hosts":[{"host"');
    await d.startDaemon();
    expect(await names(d)).toEqual(['127.0.3.94']);
    const state = (await (await fetch(`${d.url}/api/state`)).json()) as ApiState;
    expect(state.startedFrom).toBe('first-probe-round');
    expect(d.logs()).toMatch(/state file is not valid JSON \(corrupt\?\): ignoring it/);
  });

  it('SIGTERM with a probe of a silent host in flight and idle DNS/HTTP connections open: exit 0 within 5 s', async () => {
    d = await startTestDaemon({ addresses: ['127.0.3.97', '127.0.3.98'], dns: '127.0.3.96:5303', http: '127.0.3.96:8103', probe: { interval: '3s', timeout: '2500ms' } });
    await allHealthy(d);
    await d.hosts[0]!.blackhole();
    // wait until a probe of the blackholed host has timed out: the host still counts as up, so the
    // runner confirms at once and that confirmation probe is then waiting out its 2.5 s timeout
    await waitFor('a first timed-out probe', async () => {
      const state = (await (await fetch(`${d!.url}/api/state`)).json()) as ApiState;
      const mx1 = state.pools[0]!.hosts[0]!;
      return mx1.state === 'healthy' && /timed out/.test(mx1.lastProbe?.reason ?? '');
    }, 15_000, 50);
    await new Promise((r) => setTimeout(r, 300));
    const { connect } = await import('node:net');
    const idle = [connect(5303, '127.0.3.96'), connect(8103, '127.0.3.96')];
    await new Promise((r) => setTimeout(r, 200));
    const stopped = await d.stopDaemon('SIGTERM');
    for (const socket of idle) socket.destroy();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    expect(d.logs()).toMatch(/stopped; state written/);
  });
});
