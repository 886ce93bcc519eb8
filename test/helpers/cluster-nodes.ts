// Real `mxpool serve` processes for the cluster tests and bench/cluster: one config per node (own
// source address, nameserver and HTTP API on its own loopback address), start/kill/restart, the
// state, metrics, the SOA serial and a full AXFR of each node's zone.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { ApiState } from '../../src/http/types.ts';
import { track } from './children.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface NodePorts {
  zone?: string;
  dnsPort?: number;
  httpPort?: number;
}

export interface ClusterNodeProcess {
  name: string;
  address: string;
  configFile: string;
  url: string;
  readonly running: boolean;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  state(): Promise<ApiState>;
  metrics(): Promise<string>;
  serial(): Promise<number>;
  /** the whole zone over AXFR, SOA included, one normalised line per record, sorted */
  axfr(): Promise<string[]>;
  dig(name: string, type: string): Promise<string[]>;
  logs(): string;
}

export const AXFR_SOURCE = '127.15.9.9';

export function nodeProcess(name: string, address: string, dir: string, config: Record<string, unknown>, ports: NodePorts = {}): ClusterNodeProcess {
  const zone = ports.zone ?? 'example.com';
  const dnsPort = ports.dnsPort ?? 5300;
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'mxpool.yaml');
  writeFileSync(configFile, stringify({ ...config, stateDir: join(dir, 'state') }));
  let child: ChildProcess | undefined;
  let log = '';
  const url = `http://${address}:${ports.httpPort ?? 8100}`;
  const node: ClusterNodeProcess = {
    name,
    address,
    configFile,
    url,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      const proc = track(spawn(process.execPath, [join(ROOT, 'src/cli.ts'), 'serve', '--config', configFile, '--log-level', 'debug'], { stdio: ['ignore', 'ignore', 'pipe'] }));
      child = proc;
      proc.stderr!.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-400_000);
      });
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`node ${name} exited with ${proc.exitCode} at start-up:\n${log.slice(-3000)}`);
        try {
          if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return;
        } catch {
          // not up yet
        }
        if (Date.now() > deadline) {
          proc.kill('SIGKILL'); // never left probing and holding its addresses
          throw new Error(`node ${name} not serving within 60 s:\n${log.slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill(signal = 'SIGKILL') {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((done) => {
        proc.once('exit', () => done());
        proc.kill(signal);
      });
    },
    async state() {
      return (await (await fetch(`${url}/api/state`, { signal: AbortSignal.timeout(5000) })).json()) as ApiState;
    },
    async metrics() {
      return (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    },
    async serial() {
      const [soa] = await digLines(address, dnsPort, [zone, 'SOA', '+short']);
      return Number(soa?.split(/\s+/)[2] ?? Number.NaN);
    },
    async axfr() {
      const lines = await digLines(address, dnsPort, ['-b', AXFR_SOURCE, zone, 'AXFR', '+nocmd', '+nostats', '+nocomments']);
      // the SOA comes first and last; TTLs and spacing as dig prints them
      return [...new Set(lines.map((line) => line.split(/\s+/).join(' ')))].sort();
    },
    dig: (qname, type) => digLines(address, dnsPort, [qname, type, '+short']),
    logs: () => log,
  };
  return node;
}

export function digLines(server: string, port: number, args: string[]): Promise<string[]> {
  return new Promise((resolveDig, reject) => {
    execFile('dig', [`@${server}`, '-p', String(port), '+time=1', '+tries=2', ...args], { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(new Error(`dig ${args.join(' ')} @${server} failed: ${error.message}`));
      resolveDig(stdout.split('\n').map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith(';')));
    });
  });
}

/** A metric's value from Prometheus text (first series matching name and label text). */
export function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
