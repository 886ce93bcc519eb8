// `npx node bench/dns/run.ts`: dnsperf against the mxpool nameserver and against NSD serving the same
// zone, same query mix (A of the weighted pool name, MX, TXT, NXDOMAIN), both servers pinned to the
// same core with taskset and dnsperf to another. Median of 3 runs each:
//  - max rate: QPS and average latency (dnsperf -l 6, 8 clients, 200 outstanding);
//  - fixed 20,000 QPS: p99 latency from dnsperf -v per-query latencies.
// Bounded: about 70 s in all. Loopback only (127.0.2.30 mxpool, 127.0.2.31 NSD).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.ts';
import { allHealthy, desired } from '../../src/desired.ts';
import { formatZone } from '../../src/dns/masterfile.ts';
import { removeTempDir, tempDir } from '../../test/helpers/temp-dir.ts';

const MXPOOL = '127.0.2.30';
const NSD = '127.0.2.31';
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
  avgMs: number[];
  lost: number[];
  p99Ms: number[];
}

function measure(server: string, queries: string): Figures {
  const figures: Figures = { qps: [], avgMs: [], lost: [], p99Ms: [] };
  dnsperf(server, queries, ['-l', '1', '-c', '8', '-q', '200']); // warm-up
  for (let run = 0; run < RUNS; run++) {
    const out = dnsperf(server, queries, ['-l', String(MAX_RATE_SECONDS), '-c', '8', '-q', '200']);
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
    `server:
  ip-address: ${NSD}@${PORT}
  port: ${PORT}
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  database: ""
  zonelistfile: "${dir}/zone.list"
  xfrdfile: "${dir}/xfrd.state"
  xfrdir: "${dir}"
  pidfile: "${dir}/nsd.pid"
  logfile: "${dir}/nsd.log"
  hide-version: yes
  # response rate limiting would throttle a benchmark from one address
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: "${dir}/example.com.zone"
`,
  );
  const queries = queryFile();
  const here = fileURLToPath(new URL('.', import.meta.url));
  process.stdout.write(`dnsperf ${cores} cores; servers on core ${SERVER_CORE}, dnsperf on core ${CLIENT_CORE}; ${RUNS} runs of ${MAX_RATE_SECONDS} s max rate + ${RUNS} of ${FIXED_RATE_SECONDS} s at ${FIXED_QPS} QPS\n`);
  process.stdout.write('query mix: A mx.example.com (weighted, 3 hosts) / MX example.com / TXT example.com / A nxN.example.com (NXDOMAIN), 1:1:1:1\n\n');

  const results: Record<string, Figures> = {};
  const mxpool = await startAndWait(process.execPath, [join(here, 'serve-mxpool.ts'), join(dir, 'zone.json'), `${MXPOOL}:${PORT}`], MXPOOL);
  results.mxpool = measure(MXPOOL, queries);
  await stop(mxpool);
  const nsd = await startAndWait('nsd', ['-d', '-c', join(dir, 'nsd.conf')], NSD);
  results.nsd = measure(NSD, queries);
  await stop(nsd);

  const row = (name: string, f: Figures) =>
    `${name.padEnd(8)} ${median(f.qps).toFixed(0).padStart(8)} QPS  avg ${median(f.avgMs).toFixed(3)} ms  lost ${median(f.lost)}  p99@${FIXED_QPS / 1000}k ${median(f.p99Ms).toFixed(3)} ms   (runs: ${f.qps.map((q) => q.toFixed(0)).join(', ')} QPS; p99 ${f.p99Ms.map((p) => p.toFixed(2)).join(', ')} ms)`;
  process.stdout.write(`${row('mxpool', results.mxpool)}\n${row('nsd', results.nsd)}\n`);
  process.stdout.write(`ratio mxpool/nsd: ${(median(results.mxpool.qps) / median(results.nsd.qps)).toFixed(2)}\n`);
} finally {
  for (const child of children) await stop(child);
  removeTempDir(dir);
}
