// A look at `mxpool serve` over many hosts: the real daemon process (dist build, as `npx mxpool`
// runs it) probing N hosts spread over the bench peer's loopback listeners, its VmRSS read from
// /proc every second and its CPU time from /proc/<pid>/stat. Bounded: at most 20,000 hosts and
// 120 s. Usage: npm run build && npx node bench/probe/serve.ts [--hosts 10000] [--seconds 45]
//   [--no-hold] [--no-memory-saver] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { makeTestPki } from '../../test/helpers/smtp/test-ca.ts';
import { poolsOver, type Listener } from './pools.ts';
import { removeTempDir, tempDir } from '../../test/helpers/temp-dir.ts';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}
const HOSTS = Math.min(argument('hosts', 10_000), 20_000);
const SECONDS = Math.min(argument('seconds', 45), 120);
const HOLD = !process.argv.includes('--no-hold');
const ADDRESSES = Array.from({ length: 20 }, (_, i) => `127.0.1.${100 + i}`);
const DOMAIN = 'bench.example.test';
const bin = fileURLToPath(new URL('../../bin/mxpool.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url)))) throw new Error('run `npm run build` first: this measures the dist build');

function config(listeners: Listener[]) {
  const pools = poolsOver(listeners, HOSTS, DOMAIN);
  return {
    zone: DOMAIN,
    pools,
    probe: { interval: '10s', timeout: '3s', concurrency: 200, starttls: 'off', hold: HOLD },
    nameserver: { listen: ['127.0.1.99:5399'], ns: [`ns1.${DOMAIN}`], soa: { mname: `ns1.${DOMAIN}`, rname: `hostmaster.${DOMAIN}` } },
    http: { listen: '127.0.1.99:8199' },
  };
}

function procStat(pid: number): { rssMb: number; hwmMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, cpuSeconds: ticks / 100 };
}

const dir = tempDir('mxpool-bench-serve-');
const pki = makeTestPki();
const leaf = pki.leaf(`*.${DOMAIN}`, { san: [`*.${DOMAIN}`] });
const peer = spawn(process.execPath, [fileURLToPath(new URL('./servers.ts', import.meta.url)), JSON.stringify({ addresses: ADDRESSES, portsPerAddress: 5, keyFile: leaf.keyFile, certFile: leaf.certFile })], { stdio: ['pipe', 'pipe', 'inherit'] });
let daemon: ReturnType<typeof spawn> | undefined;
try {
  const [first] = (await once(peer.stdout!, 'data')) as [Buffer];
  const { listeners } = JSON.parse(first.toString()) as { listeners: Array<{ address: string; port: number }> };
  const file = join(dir, 'mxpool.yaml');
  writeFileSync(file, stringify({ ...config(listeners), stateDir: join(dir, 'state') }));
  const nodeFlags = process.argv.includes('--no-memory-saver') ? ['--no-memory-saver-mode'] : [];
  const profileAt = process.argv.indexOf('--cpu-prof');
  const profile = profileAt > 0 ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profileAt + 1]}`] : [];
  daemon = spawn(process.execPath, [...nodeFlags, ...profile, bin, 'serve', '--config', file, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let warnings = 0;
  daemon.stderr!.on('data', (chunk: Buffer) => (warnings += chunk.toString().split('\n').filter(Boolean).length));
  const pid = daemon.pid!;
  const samples: Array<{ t: number; rssMb: number; hwmMb: number; cpuSeconds: number }> = [];
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000 && daemon.exitCode === null) {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      samples.push({ t: (Date.now() - started) / 1000, ...procStat(pid) });
    } catch {
      break; // the process is gone
    }
  }
  const state = (await (await fetch('http://127.0.1.99:8199/api/state')).json()) as { pools: Array<{ healthyCount: number }> };
  const healthy = state.pools.reduce((sum, pool) => sum + pool.healthyCount, 0);
  const steady = samples.filter((s) => s.t >= 3);
  const last = samples.at(-1)!;
  const mb = (n: number) => `${Math.round(n)} MB`;
  console.log(`mxpool serve, ${HOSTS} hosts, interval 10s, concurrency 200, hold ${HOLD ? 'on' : 'off'}, heap policy ${nodeFlags.length ? 'V8 default' : 'memory saver'}, ${SECONDS} s`);
  console.log(`  VmRSS from the 3rd second on: ${mb(Math.min(...steady.map((s) => s.rssMb)))}-${mb(Math.max(...steady.map((s) => s.rssMb)))}, VmHWM ${mb(last.hwmMb)}`);
  console.log(`  CPU ${last.cpuSeconds.toFixed(1)} s over ${last.t.toFixed(0)} s (${(last.cpuSeconds / last.t).toFixed(2)} cores); ${healthy}/${HOSTS} healthy at the end; ${warnings} warning line(s) logged`);
} finally {
  daemon?.kill('SIGTERM');
  if (daemon && daemon.exitCode === null) await once(daemon, 'exit');
  peer.kill('SIGTERM');
  removeTempDir(dir);
}
