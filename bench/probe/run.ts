// Probe benchmark: one full round over N hosts (default 2,000) spread over loopback ESMTP listeners
// (20 addresses 127.0.1.100-119 x 5 ports, served by a separate process), through the real
// ProbeRunner at concurrency C (default 200): without TLS, then with STARTTLS (certificate from a
// throw-away test CA). Prints probes/s, p50/p99 probe time and the prober's peak RSS.
//   npx node bench/probe/run.ts [--hosts 2000] [--concurrency 200] [--tls-only] [--yaml] [--memory]
//                               [--memory-saver] [--cli [--no-memory-saver]]
// --cli: each round is the real `mxpool probe --json` process (bin/mxpool.js over the dist build,
// as an operator runs it) on a YAML config file; its peak RSS comes from GNU time's %M.
// --cli --no-memory-saver: the same with the CLI's heap policy turned off (node --no-memory-saver-mode).
// --memory-saver (in-process rounds): apply the CLI's heap policy (src/memory-policy.ts) to this process.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import { configSchema, type Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/log.ts';
import { preferSmallHeap } from '../../src/memory-policy.ts';
import { ProbeRunner } from '../../src/probe/runner.ts';
import { makeTestPki } from '../../test/helpers/smtp/test-ca.ts';
import { poolsOver } from './pools.ts';
import { removeTempDir, tempDir } from '../../test/helpers/temp-dir.ts';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} wants a whole number >= 1`);
  return value;
}

const HOSTS = Math.min(argument('hosts', 2000), 20_000); // bounded
const CONCURRENCY = argument('concurrency', 200);
const ADDRESSES = Array.from({ length: 20 }, (_, i) => `127.0.1.${100 + i}`);
const PORTS_PER_ADDRESS = 5;
const DOMAIN = 'bench.example.test';

setFlagsFromString('--expose-gc');
if (process.argv.includes('--memory-saver') && !preferSmallHeap()) throw new Error('--memory-saver: this V8 has no memory saver mode');
const collectGarbage = runInNewContext('gc') as () => void;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function configInput(listeners: Array<{ address: string; port: number }>, starttls: 'off' | 'required', caFile: string) {
  const pools = poolsOver(listeners, HOSTS, DOMAIN);
  // the config schema validates as for a file; `--yaml` goes through the YAML loader too (its
  // transient memory for a big file shows in the peak RSS)
  const probe = { interval: '60s', timeout: '10s', hold: false, concurrency: CONCURRENCY, starttls, caFile };
  return { zone: DOMAIN, pools, probe };
}

function configFor(listeners: Array<{ address: string; port: number }>, starttls: 'off' | 'required', caFile: string): Config {
  const input = configInput(listeners, starttls, caFile);
  if (process.argv.includes('--yaml')) return parseConfig(stringify(input));
  return configSchema.parse(input) as Config;
}

/** One round as the real CLI process: `mxpool probe --json` on a config file, under GNU time for the peak RSS. */
async function cliRound(label: string, listeners: Array<{ address: string; port: number }>, starttls: 'off' | 'required', caFile: string) {
  const bin = fileURLToPath(new URL('../../bin/mxpool.js', import.meta.url));
  if (!existsSync(fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url)))) throw new Error('--cli runs the dist build: npm run build first');
  const dir = tempDir('mxpool-bench-');
  try {
    const file = join(dir, 'mxpool.yaml');
    writeFileSync(file, stringify(configInput(listeners, starttls, caFile)));
    const start = performance.now();
    const nodeFlags = process.argv.includes('--no-memory-saver') ? ['--no-memory-saver-mode'] : [];
    const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M cpu_s=%U+%S', process.execPath, ...nodeFlags, bin, 'probe', '--config', file, '--json', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await once(child, 'close');
    const seconds = (performance.now() - start) / 1000;
    const kb = Number(/maxrss_kb=(\d+)/.exec(err)?.[1]);
    const [user = NaN, system = NaN] = (/cpu_s=([\d.]+)\+([\d.]+)/.exec(err) ?? []).slice(1).map(Number);
    const report = JSON.parse(Buffer.concat(out).toString()) as { hosts: Array<{ ok: boolean; ms: number; reason: string; stage: string }> };
    const times = report.hosts.map((h) => h.ms).sort((a, b) => a - b);
    const failed = report.hosts.filter((h) => !h.ok);
    const line = {
      round: `${label}, mxpool probe process${nodeFlags.length > 0 ? ' (no memory saver)' : ''}`,
      hosts: report.hosts.length,
      ok: report.hosts.length - failed.length,
      seconds: Number(seconds.toFixed(2)), // the whole command: start-up, YAML load, round, JSON output
      probesPerSecond: Math.round(report.hosts.length / seconds),
      p50ms: percentile(times, 50),
      p99ms: percentile(times, 99),
      peakRssMb: Math.round(kb / 1024),
      cpuSeconds: Number((user + system).toFixed(2)), // the mxpool process's user + system time
    };
    console.log(JSON.stringify(line));
    if (failed.length > 0) console.log(`  failures, first: ${failed[0]?.stage}: ${failed[0]?.reason}`);
  } finally {
    removeTempDir(dir);
  }
}

async function round(label: string, listeners: Array<{ address: string; port: number }>, starttls: 'off' | 'required', caFile: string) {
  const runner = new ProbeRunner({ config: configFor(listeners, starttls, caFile), logger: silentLogger });
  collectGarbage(); // the YAML parse of a big config is transient: measure the probing, not the loader
  if (process.argv.includes("--memory")) console.log(`before the round: rss ${Math.round(process.memoryUsage().rss / 1048576)} MB, heap used ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB, peak so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  const start = performance.now();
  let peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  }, 50);
  const results = await runner.probeAllOnce();
  clearInterval(sampler);
  if (process.argv.includes('--memory')) console.log(Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v / 1048576)])));
  const seconds = (performance.now() - start) / 1000;
  await runner.stop();
  const all = [...results.values()];
  const failed = all.filter((r) => !r.ok);
  const times = all.map((r) => r.ms).sort((a, b) => a - b);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const line = {
    round: label,
    hosts: all.length,
    ok: all.length - failed.length,
    seconds: Number(seconds.toFixed(2)),
    probesPerSecond: Math.round(all.length / seconds),
    p50ms: percentile(times, 50),
    p99ms: percentile(times, 99),
    peakRssMb: Math.round(rssMb),
  };
  console.log(JSON.stringify(line));
  if (failed.length > 0) console.log(`  failures, first: ${failed[0]?.stage}: ${failed[0]?.reason}`);
  return line;
}

const pki = makeTestPki();
const leaf = pki.leaf(`*.${DOMAIN}`, { san: [`*.${DOMAIN}`] });
const peer = spawn(process.execPath, [fileURLToPath(new URL('./servers.ts', import.meta.url)), JSON.stringify({ addresses: ADDRESSES, portsPerAddress: PORTS_PER_ADDRESS, keyFile: leaf.keyFile, certFile: leaf.certFile })], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
try {
  const [first] = (await Promise.race([once(peer.stdout!, 'data'), new Promise((_, reject) => setTimeout(() => reject(new Error('bench servers did not start')), 20_000))])) as [Buffer];
  const { listeners } = JSON.parse(first.toString()) as { listeners: Array<{ address: string; port: number }> };
  console.log(`node ${process.version}, ${HOSTS} hosts over ${listeners.length} listeners (${ADDRESSES.length} addresses x ${PORTS_PER_ADDRESS} ports), concurrency ${CONCURRENCY}`);
  const run = process.argv.includes('--cli') ? cliRound : round;
  if (!process.argv.includes('--tls-only')) await run('plain (starttls: off)', listeners, 'off', pki.caFile);
  await run('STARTTLS (required, test CA)', listeners, 'required', pki.caFile);
} finally {
  peer.stdin?.end();
  peer.kill('SIGTERM');
  pki.cleanup();
}
