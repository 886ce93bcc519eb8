// bench/zones: one `mxpool serve` publishing 10,000 tenant zones (MX to a 4-host inbound pool, SPF
// include, DMARC, one DKIM key, two static records each). Measures, on loopback (127.13.1.x):
//  1. start: from spawning `mxpool serve` (cold: no state file; then warm: with it) until its
//     nameserver answers every one of the 10,000 zones (a full SOA sweep, all NOERROR);
//  2. RSS of the serve process (VmRSS after start, VmHWM peak) — goal < 400 MB;
//  3. failover: an inbound host SIGKILLed -> every tenant's MX without it (full MX sweeps) — goal <= 2 s;
//  4. QPS over random names of the 10,000 zones, dnsperf, mxpool vs NSD serving the same zones
//     from zone files in the same run, both pinned to one core — goal >= 0.5 x NSD;
//  5. (the reload figures: bench/zones/reload.ts — see README "Reload")
// Usage: npx node bench/zones/run.ts [--zones 10000] [--runs 3]   (about 3-4 minutes at 10,000)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSmtpHost, type SmtpHostProcess } from '../../test/helpers/daemon.ts';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { track } from '../../test/helpers/children.ts';
import { loadConfig } from '../../src/config/load.ts';
import { allHealthy, desired } from '../../src/desired.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { randomQuestions, writeBenchConfig, tenantZone } from './setup.ts';
import { answersOf, rcodeOf, sweep, TYPE, type Question } from './sweep.ts';
import { startNsd, writeNsd } from './nsd.ts';
import { cpuSeconds, memory } from '../proc.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = Math.min(20_000, Math.max(10, arg('--zones', 10_000)));
const RUNS = Math.min(9, Math.max(1, arg('--runs', 5)));
const SETTLE_MS = 8000;
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MXPOOL = '127.13.1.1';
const NSD = '127.13.1.2';
const SOURCE = '127.13.1.9';
const PORT = 5395;
const HTTP = `${MXPOOL}:8195`;
const cores = availableParallelism();
const SERVER_CORE = cores > 1 ? '1' : '0';
const CLIENT_CORE = '0';
const MX1 = Buffer.from('\u0003mx1', 'latin1');

/**
 * Whether an MX reply names mx1.isp.example. The answer compresses names: mx1 is written in full
 * only when it comes first; after another host it is the label "mx1" and a pointer to isp.example.
 */
function namesMx1(reply: Buffer): boolean {
  for (let at = reply.indexOf(MX1, 12); at >= 0; at = reply.indexOf(MX1, at + 1)) {
    const after = reply[at + MX1.length];
    if (after === undefined) return false;
    if ((after & 0xc0) === 0xc0 || reply.subarray(at + MX1.length, at + MX1.length + 4).toString('latin1') === '\u0003isp') return true;
  }
  return false;
}

const dir = tempDir('mxpool-bench-zones-');
const children: ChildProcess[] = [];
let hosts: SmtpHostProcess[] = [];
let stderr = '';

const zones = Array.from({ length: COUNT }, (_, i) => tenantZone(i));
const soaQuestions: Question[] = zones.map((name) => ({ name, type: TYPE.SOA }));
const mxQuestions: Question[] = zones.map((name) => ({ name, type: TYPE.MX }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function startServe(configFile: string): Promise<{ child: ChildProcess; readyMs: number; readyCpu: number; verifiedMs: number }> {
  const started = performance.now();
  const child = track(spawn('taskset', ['-c', SERVER_CORE, process.execPath, join(ROOT, 'src/cli.ts'), 'serve', '--config', configFile, '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  children.push(child);
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const last = [{ name: zones[COUNT - 1] as string, type: TYPE.SOA }];
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}:\n${stderr.slice(-2000)}`);
    const [reply] = await sweep(MXPOOL, PORT, last, { source: SOURCE, timeoutMs: 100, tries: 1 });
    if (reply && rcodeOf(reply) === 0 && answersOf(reply) === 1) break;
    if (performance.now() - started > 120_000) throw new Error(`serve did not answer within 120 s:\n${stderr.slice(-2000)}`);
    await sleep(20);
  }
  const readyMs = performance.now() - started;
  const readyCpu = cpuSeconds(child.pid as number);
  const replies = await sweep(MXPOOL, PORT, soaQuestions, { source: SOURCE });
  const bad = replies.filter((r) => !r || rcodeOf(r) !== 0 || answersOf(r) !== 1).length;
  if (bad > 0) throw new Error(`${bad} of ${COUNT} zones did not answer their SOA`);
  return { child, readyMs, readyCpu, verifiedMs: performance.now() - started };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Sweeps MX of every zone until none names mx1 (or every zone does, `back`). Per zone, the arrival of
 * the first reply in the new state and of the last reply still in the old one: every zone switched
 * after `lowerMs` (the latest old reply) and by `upperMs` (the latest first new reply). A sweep of
 * 10,000 zones takes seconds, so the two bounds are reported together.
 */
async function waitMx(since: number, back: boolean, limitMs: number): Promise<{ lowerMs: number; upperMs: number; sweeps: number; sweepMs: number }> {
  const firstNew = new Array<number>(COUNT).fill(Number.NaN);
  let lastOld = since;
  let sweeps = 0;
  let sweepMs = 0;
  for (;;) {
    const at = performance.now();
    const receivedAt: number[] = [];
    const replies = await sweep(MXPOOL, PORT, mxQuestions, { source: SOURCE, timeoutMs: 500, receivedAt });
    sweepMs = performance.now() - at;
    sweeps++;
    replies.forEach((reply, i) => {
      if (reply === null || rcodeOf(reply) !== 0 || !Number.isNaN(firstNew[i])) return;
      if (namesMx1(reply) === back) firstNew[i] = receivedAt[i] as number;
      else lastOld = Math.max(lastOld, receivedAt[i] as number);
    });
    if (firstNew.every((t) => !Number.isNaN(t))) return { lowerMs: lastOld - since, upperMs: Math.max(...firstNew) - since, sweeps, sweepMs };
    if (performance.now() - since > limitMs) throw new Error(`after ${limitMs} ms, ${firstNew.filter(Number.isNaN).length} zones still ${back ? 'without' : 'with'} mx1`);
  }
}

function logTimes(message: string, after: number): number[] {
  return stderr.split('\n').flatMap((line) => {
    if (!line.includes(`"${message}"`)) return [];
    const time = (JSON.parse(line) as { time: number }).time;
    return time >= after ? [time] : [];
  });
}

function queryFile(): string {
  const file = join(dir, 'queries.txt');
  writeFileSync(file, `${randomQuestions(zones, 200_000).join('\n')}\n`);
  return file;
}

function dnsperf(server: string, queries: string, seconds: number): { qps: number; completed: number; lost: number; avgMs: number } {
  const run = spawnSync('taskset', ['-c', CLIENT_CORE, 'dnsperf', '-s', server, '-p', String(PORT), '-d', queries, '-l', String(seconds), '-c', '8', '-q', '200', '-t', '2'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (run.status !== 0) throw new Error(`dnsperf failed: ${run.stderr}`);
  const out = run.stdout;
  return {
    qps: Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1]),
    completed: Number(/Queries completed:\s+(\d+)/.exec(out)?.[1]),
    lost: Number(/Queries lost:\s+(\d+)/.exec(out)?.[1]),
    avgMs: Number(/Average Latency \(s\):\s+([\d.]+)/.exec(out)?.[1]) * 1000,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

try {
  process.stdout.write(`bench/zones: ${COUNT} tenant zones, load before: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}\n`);
  hosts = await Promise.all(['127.13.1.11', '127.13.1.12', '127.13.1.13', '127.13.1.14', '127.13.1.21'].map((address, i) => startSmtpHost(address, i < 4 ? `mx${i + 1}.isp.example` : 'relay1.isp.example')));
  const listeners = hosts.map((h) => ({ address: h.address, port: h.port }));
  const configFile = writeBenchConfig(dir, { count: COUNT, dns: `${MXPOOL}:${PORT}`, http: HTTP, inbound: listeners.slice(0, 4), outbound: listeners[4] as { address: string; port: number } });

  // 1 + 2: start, cold then warm
  const cold = await startServe(configFile);
  const coldMemory = memory(cold.child.pid as number);
  process.stdout.write(`start (cold, no state file): answers every zone after ${seconds(cold.readyMs)}, ${cold.readyCpu.toFixed(1)} s of CPU (full SOA sweep done at ${seconds(cold.verifiedMs)}); RSS ${coldMemory.rss} MB, peak ${coldMemory.peak} MB\n`);
  await sleep(3000); // let the first state write and the first audit happen
  await stopChild(cold.child);
  const warm = await startServe(configFile);
  const serve = warm.child;
  const warmMemory = memory(serve.pid as number);
  process.stdout.write(`start (warm, state file): answers every zone after ${seconds(warm.readyMs)}, ${warm.readyCpu.toFixed(1)} s of CPU (full SOA sweep done at ${seconds(warm.verifiedMs)}); RSS ${warmMemory.rss} MB, peak ${warmMemory.peak} MB\n`);
  await sleep(2000);

  // 3: failover
  const before = Date.now();
  const killedAt = performance.now();
  await hosts[0]?.kill('SIGKILL');
  const gone = await waitMx(killedAt, false, 30_000);
  const published = logTimes('tenant zones published', before)[0];
  process.stdout.write(`failover: mx1 SIGKILLed -> all ${COUNT} tenant MX without it between ${seconds(gone.lowerMs)} (last reply still naming it) and ${seconds(gone.upperMs)} (last zone first seen without it; ${gone.sweeps} sweeps, the last ${seconds(gone.sweepMs)}); serve logged the tenant zones published ${published ? seconds(published - before) : '?'} after the kill\n`);
  const afterFailover = memory(serve.pid as number);
  await hosts[0]?.restart();
  const restartedAt = performance.now();
  const back = await waitMx(restartedAt, true, 60_000);
  process.stdout.write(`return: mx1 restarted -> in every tenant MX between ${seconds(back.lowerMs)} and ${seconds(back.upperMs)} (rise 2 x interval 5 s); RSS ${afterFailover.rss} MB after the failover\n`);

  // 4: QPS vs NSD over the same zones
  const config = loadConfig(configFile);
  const health = allHealthy(config, Date.now());
  const top = desired(config, health, { serial: 2026120100, now: Date.now() });
  const tenants = new TenantZones(config);
  tenants.publish(config, top.published ?? {}, new Date());
  const nsd = startNsd(writeNsd(dir, { address: NSD, port: PORT }, [top, ...tenants.zones()]), SERVER_CORE);
  children.push(nsd);
  const nsdStarted = performance.now();
  for (;;) {
    const [reply] = await sweep(NSD, PORT, [{ name: zones[COUNT - 1] as string, type: TYPE.SOA }], { source: SOURCE, timeoutMs: 200, tries: 1 });
    if (reply && rcodeOf(reply) === 0) break;
    if (performance.now() - nsdStarted > 120_000) throw new Error('NSD did not load the zones within 120 s');
    await sleep(100);
  }
  process.stdout.write(`NSD loaded ${COUNT + 1} zone files in ${seconds(performance.now() - nsdStarted)}\n`);
  const queries = queryFile();
  // warm-ups, then the runs in pairs (6 s each): the machine's speed drifts by up to 2x over minutes,
  // and a pair taken seconds apart sees the same machine; the order alternates (mxpool first, then
  // NSD first) so a steady drift within the pairs favours neither
  dnsperf(MXPOOL, queries, 10);
  dnsperf(NSD, queries, 2);
  // The warm-up grew serve's heap (about 85,000 learnt answers); once the load stops, V8's memory
  // reducer marks the whole heap (~190 MB) — about half a second of CPU that landed in the first
  // measured run and made it the lowest pair every time. It is a one-time cost of the learning,
  // not of serving: let it finish first.
  await sleep(SETTLE_MS);
  const servers = [
    { name: 'mxpool', address: MXPOOL, pid: serve.pid as number },
    { name: 'NSD', address: NSD, pid: nsd.pid as number },
  ];
  const figures = new Map(servers.map((s) => [s.name, { qps: [] as number[], cpuUs: [] as number[], lost: [] as number[], avgMs: [] as number[] }]));
  for (let run = 0; run < RUNS; run++) {
    for (const server of run % 2 === 0 ? servers : [...servers].reverse()) {
      const cpuBefore = cpuSeconds(server.pid);
      const result = dnsperf(server.address, queries, 6);
      const f = figures.get(server.name) as { qps: number[]; cpuUs: number[]; lost: number[]; avgMs: number[] };
      f.qps.push(result.qps);
      f.cpuUs.push(((cpuSeconds(server.pid) - cpuBefore) / result.completed) * 1e6);
      f.lost.push(result.lost);
      f.avgMs.push(result.avgMs);
    }
  }
  for (const [name, f] of figures) {
    process.stdout.write(`${name}: ${Math.round(median(f.qps))} QPS (runs ${f.qps.map(Math.round).join(' / ')}), ${median(f.cpuUs).toFixed(1)} µs of CPU per query (${f.cpuUs.map((c) => c.toFixed(1)).join(' / ')}), avg latency ${median(f.avgMs).toFixed(2)} ms, lost ${f.lost.join('/')}\n`);
  }
  const m = figures.get('mxpool') as { qps: number[]; cpuUs: number[] };
  const n = figures.get('NSD') as { qps: number[]; cpuUs: number[] };
  const pairs = m.qps.map((qps, i) => qps / (n.qps[i] as number));
  const ratio = median(pairs);
  process.stdout.write(`mxpool/NSD = ${ratio.toFixed(2)} (median of the pairs ${pairs.map((r) => r.toFixed(2)).join(' / ')}; goal >= 0.5); CPU per query NSD/mxpool = ${(median(n.cpuUs) / median(m.cpuUs)).toFixed(2)}\n`);
  const end = memory(serve.pid as number);
  process.stdout.write(`serve RSS after the QPS runs ${end.rss} MB, peak ${end.peak} MB (goal < 400 MB)\n`);
  process.stdout.write(`load after: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}\n`);
} finally {
  for (const child of children) await stopChild(child);
  await Promise.all(hosts.map((h) => h.kill()));
}
