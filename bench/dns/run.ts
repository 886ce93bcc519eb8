// `npx node bench/dns/run.ts [--servers mxpool,nsd,dns2]`: dnsperf against the mxpool nameserver,
// NSD and a plain dns2 server (serve-dns2.ts: what a reader might expect mxpool to be built on)
// serving the same zone, same query mix (A of the weighted pool name, MX, TXT, NXDOMAIN), each server
// pinned to the same core with taskset and dnsperf to another. Median of 3 runs each:
//  - max rate: QPS and average latency (dnsperf -l 6, 8 clients, 200 outstanding);
//  - fixed 20,000 QPS: p99 latency from dnsperf -v per-query latencies.
// Bounded: about 100 s in all. Loopback only (127.0.2.30 mxpool, 127.0.2.31 NSD, 127.12.2.32 dns2).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.ts';
import { allHealthy, desired } from '../../src/desired.ts';
import { formatZone } from '../../src/dns/masterfile.ts';
import { removeTempDir, tempDir } from '../../test/helpers/temp-dir.ts';
import { cpuSeconds } from '../proc.ts';
import { nsdServerBlock } from '../../test/helpers/nsd-conf.ts';

const MXPOOL = '127.0.2.30';
const NSD = '127.0.2.31';
const DNS2 = '127.12.2.32';
const SERVERS = (process.argv[process.argv.indexOf('--servers') + 1] ?? '').split(',').filter((name) => process.argv.includes('--servers') && name);
const runs = (name: string) => SERVERS.length === 0 || SERVERS.includes(name);
const PORT = 5391;
const RUNS = 3;
const MAX_RATE_SECONDS = 6;
const FIXED_RATE_SECONDS = 4;
const FIXED_QPS = 20_000;
const cores = availableParallelism();
const SERVER_CORE = cores > 1 ? '1' : '0';
const CLIENT_CORE = '0';

const config = parseConfig(`
zone: example.com
ttl: 30
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hostname: mx.example.com
    hosts:
      - { name: mx1.example.com, address: 192.0.2.11, weight: 3 }
      - { name: mx2.example.com, address: 192.0.2.12, weight: 2 }
      - { name: mx3.example.com, address: 192.0.2.13, weight: 1 }
  - name: outbound
    role: outbound
    hostname: smtp.example.com
    hosts:
      - { name: relay1.example.com, address: 192.0.2.21, weight: 3 }
      - { name: relay2.example.com, address: 192.0.2.22, weight: 1 }
auth:
  spf: { extra: ["ip4:198.51.100.0/24"], all: "-all" }
  dmarc: { p: quarantine, rua: ["mailto:dmarc@example.com"] }
nameserver:
  listen: ["${MXPOOL}:${PORT}"]
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
records:
  - { name: ns1.example.com, type: A, value: 192.0.2.53 }
`, 'bench.yaml');

const dir = tempDir('mxpool-bench-dns-');
const children: ChildProcess[] = [];

function queryFile(): string {
  const lines: string[] = [];
  for (let i = 0; i < 50; i++) lines.push('mx.example.com A', 'example.com MX', 'example.com TXT', `nx${i}.example.com A`);
  const file = join(dir, 'queries.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function startAndWait(command: string, args: string[], server: string): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', SERVER_CORE, command, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.stdout?.resume();
  for (let i = 0; i < 100; i++) {
    const probe = spawnSync('dig', [`@${server}`, '-p', String(PORT), '+short', '+tries=1', '+time=1', 'example.com', 'SOA'], { encoding: 'utf8' });
    if (probe.stdout.includes('hostmaster')) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${command} did not start answering on ${server}:${PORT}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

function dnsperf(server: string, queries: string, extra: string[]): string {
  const run = spawnSync('taskset', ['-c', CLIENT_CORE, 'dnsperf', '-s', server, '-p', String(PORT), '-d', queries, '-t', '2', ...extra], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  if (run.status !== 0) throw new Error(`dnsperf failed: ${run.stderr}`);
  return run.stdout;
}

interface Figures {
  qps: number[];
  /** the server's own CPU time (user + system) per answered query in the max-rate runs: unlike QPS,
   *  barely moved by other load on a shared machine */
  cpuUs: number[];
  avgMs: number[];
  lost: number[];
  p99Ms: number[];
}

function measure(server: string, queries: string, pid: number): Figures {
  const figures: Figures = { qps: [], cpuUs: [], avgMs: [], lost: [], p99Ms: [] };
  dnsperf(server, queries, ['-l', '1', '-c', '8', '-q', '200']); // warm-up
  for (let run = 0; run < RUNS; run++) {
    const cpuBefore = cpuSeconds(pid);
    const out = dnsperf(server, queries, ['-l', String(MAX_RATE_SECONDS), '-c', '8', '-q', '200']);
    const completed = Number(/Queries completed:\s+(\d+)/.exec(out)?.[1]);
    figures.cpuUs.push(((cpuSeconds(pid) - cpuBefore) / completed) * 1e6);
    figures.qps.push(Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1]));
    figures.avgMs.push(Number(/Average Latency \(s\):\s+([\d.]+)/.exec(out)?.[1]) * 1000);
    figures.lost.push(Number(/Queries lost:\s+(\d+)/.exec(out)?.[1]));
  }
  for (let run = 0; run < RUNS; run++) {
    const out = dnsperf(server, queries, ['-l', String(FIXED_RATE_SECONDS), '-c', '8', '-q', '200', '-Q', String(FIXED_QPS), '-v']);
    const latencies = [...out.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    figures.p99Ms.push((latencies[Math.floor(latencies.length * 0.99)] ?? NaN) * 1000);
  }
  return figures;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

try {
  const zone = desired(config, allHealthy(config, Date.now()), { serial: 2026120100, now: Date.now() });
  writeFileSync(join(dir, 'zone.json'), JSON.stringify(zone));
  writeFileSync(join(dir, 'example.com.zone'), formatZone(zone));
  writeFileSync(
    join(dir, 'nsd.conf'),
    `${nsdServerBlock({ dir, addresses: [NSD], port: PORT })}zone:
  name: example.com
  zonefile: "${dir}/example.com.zone"
`,
  );
  const queries = queryFile();
  const here = fileURLToPath(new URL('.', import.meta.url));
  process.stdout.write(`dnsperf ${cores} cores; servers on core ${SERVER_CORE}, dnsperf on core ${CLIENT_CORE}; ${RUNS} runs of ${MAX_RATE_SECONDS} s max rate + ${RUNS} of ${FIXED_RATE_SECONDS} s at ${FIXED_QPS} QPS\n`);
  process.stdout.write('query mix: A mx.example.com (weighted, 3 hosts) / MX example.com / TXT example.com / A nxN.example.com (NXDOMAIN), 1:1:1:1\n\n');

  const results: Record<string, Figures> = {};
  if (runs('mxpool')) {
    const mxpool = await startAndWait(process.execPath, [join(here, 'serve-mxpool.ts'), join(dir, 'zone.json'), `${MXPOOL}:${PORT}`], MXPOOL);
    results.mxpool = measure(MXPOOL, queries, mxpool.pid!);
    await stop(mxpool);
  }
  if (runs('nsd')) {
    const nsd = await startAndWait('nsd', ['-d', '-c', join(dir, 'nsd.conf')], NSD);
    results.nsd = measure(NSD, queries, nsd.pid!);
    await stop(nsd);
  }
  if (runs('dns2')) {
    const dns2 = await startAndWait(process.execPath, [join(here, 'serve-dns2.ts'), join(dir, 'zone.json'), `${DNS2}:${PORT}`], DNS2);
    results.dns2 = measure(DNS2, queries, dns2.pid!);
    await stop(dns2);
  }

  const row = (name: string, f: Figures) =>
    `${name.padEnd(8)} ${median(f.qps).toFixed(0).padStart(8)} QPS  ${median(f.cpuUs).toFixed(1).padStart(6)} µs CPU/query  avg ${median(f.avgMs).toFixed(3)} ms  lost ${median(f.lost)}  p99@${FIXED_QPS / 1000}k ${median(f.p99Ms).toFixed(3)} ms   (runs: ${f.qps.map((q) => q.toFixed(0)).join(', ')} QPS; ${f.cpuUs.map((c) => c.toFixed(1)).join(', ')} µs; p99 ${f.p99Ms.map((p) => p.toFixed(2)).join(', ')} ms)`;
  for (const [name, figures] of Object.entries(results)) process.stdout.write(`${row(name, figures)}\n`);
  const ratio = (a: string, b: string) => {
    const [x, y] = [results[a], results[b]];
    if (x && y) process.stdout.write(`ratio ${a}/${b}: QPS ${(median(x.qps) / median(y.qps)).toFixed(2)}, CPU per query ${(median(x.cpuUs) / median(y.cpuUs)).toFixed(2)}\n`);
  };
  ratio('mxpool', 'nsd');
  ratio('dns2', 'nsd');
  ratio('mxpool', 'dns2');
} finally {
  for (const child of children) await stop(child);
  removeTempDir(dir);
}
