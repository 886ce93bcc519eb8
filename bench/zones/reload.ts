// bench/zones/reload.ts: a config reload of one `mxpool serve` publishing 10,000 tenant zones (the
// config of setup.ts), with one tenant file changed each time, while dnsperf queries random names of
// the 10,000 zones. On loopback (127.113.10.x). Per reload:
//  - the time `POST /api/reload` takes to answer (serve re-reads the config and all 10,000 tenant
//    files, builds the new tenant zones, commits), and until the changed zone's new SOA serial is
//    answered by its nameserver — goal < 3 s;
//  - how many of the 10,000 zones changed their SOA (a full sweep before and after) — must be 1.
// During all the reloads: queries lost and SERVFAIL answers (dnsperf) — goal 0.
// Reference in the same run: a restart (SIGTERM, start again with the state file) instead of the
// reload, the time until every zone answers again and the queries lost meanwhile.
// Usage: npx node bench/zones/reload.ts [--zones 10000] [--runs 3]   (about 2-3 minutes at 10,000)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSmtpHost, type SmtpHostProcess } from '../../test/helpers/daemon.ts';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { track } from '../../test/helpers/children.ts';
import { parseDnsperf, type DnsperfResult } from '../../test/helpers/dnsperf.ts';
import type { ApiReloadResult } from '../../src/http/types.ts';
import { randomQuestions, tenantZone, writeBenchConfig } from './setup.ts';
import { answersOf, rcodeOf, sweep, TYPE, type Question } from './sweep.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = Math.min(20_000, Math.max(10, arg('--zones', 10_000)));
const RUNS = Math.min(5, Math.max(1, arg('--runs', 3)));
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MXPOOL = '127.113.10.1';
const SOURCE = '127.113.10.9';
const PORT = 5396;
const HTTP = `${MXPOOL}:8196`;
const QPS = 2000;
const cores = availableParallelism();
const SERVER_CORE = cores > 1 ? '1' : '0';
const CLIENT_CORE = '0';

const dir = tempDir('mxpool-bench-reload-');
const children: ChildProcess[] = [];
let hosts: SmtpHostProcess[] = [];
let stderr = '';
const zones = Array.from({ length: COUNT }, (_, i) => tenantZone(i));
const soaQuestions: Question[] = zones.map((name) => ({ name, type: TYPE.SOA }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function startServe(configFile: string): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = performance.now();
  const child = track(spawn('taskset', ['-c', SERVER_CORE, process.execPath, join(ROOT, 'src/cli.ts'), 'serve', '--config', configFile, '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  children.push(child);
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}:\n${stderr.slice(-2000)}`);
    const replies = await sweep(MXPOOL, PORT, [soaQuestions[0] as Question, soaQuestions[COUNT - 1] as Question], { source: SOURCE, timeoutMs: 100, tries: 1 });
    if (replies.every((reply) => reply && rcodeOf(reply) === 0 && answersOf(reply) === 1)) break;
    if (performance.now() - started > 120_000) throw new Error(`serve did not answer within 120 s:\n${stderr.slice(-2000)}`);
    await sleep(20);
  }
  return { child, readyMs: performance.now() - started };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** dnsperf in the background for `secondsLong`, rate-limited, on its own core. */
function dnsperf(queries: string, secondsLong: number): Promise<DnsperfResult> {
  return new Promise((resolveRun, reject) => {
    const child = track(spawn('taskset', ['-c', CLIENT_CORE, 'dnsperf', '-s', MXPOOL, '-p', String(PORT), '-d', queries, '-l', String(secondsLong), '-Q', String(QPS), '-c', '4', '-q', '100', '-t', '5'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolveRun(parseDnsperf(output)) : reject(new Error(`dnsperf exited ${code}: ${output}`))));
  });
}

/** The SOA replies of every zone, without the message ID (equal bytes: same serial, same data). */
async function soaSweep(): Promise<string[]> {
  const replies = await sweep(MXPOOL, PORT, soaQuestions, { source: SOURCE, timeoutMs: 1000 });
  return replies.map((reply) => (reply ? reply.subarray(2).toString('base64') : 'lost'));
}

function serialOf(zone: string): number {
  const run = spawnSync('dig', [`@${MXPOOL}`, '-p', String(PORT), zone, 'SOA', '+short', '+time=1', '+tries=1'], { encoding: 'utf8' });
  return Number(run.stdout.trim().split(/\s+/)[2] ?? Number.NaN);
}

async function reload(): Promise<ApiReloadResult> {
  const response = await fetch(`http://${HTTP}/api/reload`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
  return (await response.json()) as ApiReloadResult;
}

function describe(result: DnsperfResult): string {
  const codes = Object.entries(result.rcodes).map(([code, n]) => `${code} ${n}`).join(', ');
  return `${result.sent} queries sent, ${result.lost} lost, SERVFAIL ${result.rcodes.SERVFAIL ?? 0} (${codes})`;
}

try {
  process.stdout.write(`bench/zones/reload: ${COUNT} tenant zones, ${RUNS} reloads, load before: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}\n`);
  hosts = await Promise.all(['127.113.10.11', '127.113.10.12', '127.113.10.13', '127.113.10.14', '127.113.10.21'].map((address, i) => startSmtpHost(address, i < 4 ? `mx${i + 1}.isp.example` : 'relay1.isp.example')));
  const listeners = hosts.map((h) => ({ address: h.address, port: h.port }));
  const configFile = writeBenchConfig(dir, { count: COUNT, dns: `${MXPOOL}:${PORT}`, http: HTTP, inbound: listeners.slice(0, 4), outbound: listeners[4] as { address: string; port: number } });
  const queries = join(dir, 'queries.txt');
  writeFileSync(queries, `${randomQuestions(zones, 200_000).join('\n')}\n`);

  let serve = await startServe(configFile);
  process.stdout.write(`serve answers all ${COUNT} zones ${seconds(serve.readyMs)} after spawn\n`);
  await sleep(3000); // the first state write and audit
  let before = await soaSweep();

  // the reloads, under a steady query load
  const load = dnsperf(queries, RUNS * 7 + 4);
  await sleep(2000);
  const answered: number[] = [];
  const visible: number[] = [];
  const server: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const zone = zones[Math.floor((run + 1) * (COUNT / (RUNS + 1)))] as string;
    const file = join(dir, 'tenants.d', `${zone}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/dmarc: \{ p: \w+/, `dmarc: { p: ${run % 2 === 0 ? 'quarantine' : 'none'}`));
    const serial = serialOf(zone);
    const started = performance.now();
    const result = await reload();
    answered.push(performance.now() - started);
    if (result.outcome !== 'applied') throw new Error(`reload not applied: ${result.errors.join('; ')}`);
    server.push(result.ms);
    for (;;) {
      if (serialOf(zone) > serial) break;
      if (performance.now() - started > 30_000) throw new Error(`${zone} did not get a new serial within 30 s`);
      await sleep(10);
    }
    visible.push(performance.now() - started);
    const after = await soaSweep();
    const changed = after.filter((reply, i) => reply !== before[i]).length;
    process.stdout.write(`reload ${run + 1}: ${zone} changed -> answered in ${seconds(answered[run] as number)} (serve: ${seconds(result.ms)}), new serial served after ${seconds(visible[run] as number)}; zones whose SOA changed: ${changed} of ${COUNT}; changes: ${result.changes.join('; ')}\n`);
    before = after;
    await sleep(4000);
  }
  const during = await load;
  process.stdout.write(`reload (median of ${RUNS}): answered in ${seconds(median(answered))} (serve's own: ${seconds(median(server))}), changed zone served after ${seconds(median(visible))} (goal < 3 s)\n`);
  process.stdout.write(`dnsperf during the reloads (${QPS} QPS): ${describe(during)} (goal: 0 lost, 0 SERVFAIL)\n`);

  // reference: a restart instead of a reload
  const restartLoad = dnsperf(queries, 20);
  await sleep(2000);
  const restartedAt = performance.now();
  await stopChild(serve.child);
  serve = await startServe(configFile);
  const restartMs = performance.now() - restartedAt;
  const duringRestart = await restartLoad;
  process.stdout.write(`reference, a restart instead: every zone answers again ${seconds(restartMs)} after SIGTERM; dnsperf meanwhile: ${describe(duringRestart)}\n`);
  process.stdout.write(`reload/restart time: ${(median(visible) / restartMs).toFixed(2)}\n`);
  process.stdout.write(`load after: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}\n`);
} finally {
  for (const child of children) await stopChild(child);
  await Promise.all(hosts.map((h) => h.kill()));
}
