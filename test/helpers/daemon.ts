// Starts a real `serve` over N real SMTP hosts (each its own process, so a test can SIGKILL one),
// with the built-in nameserver and the HTTP API on loopback, and queries it with `dig`.
// Used by test/serve/** and the status-page tests: `const d = await startTestDaemon({...}); d.url`.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { tempDir } from './temp-dir.ts';
import { track } from './children.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NODE = process.execPath; // vitest runs on the project's Node 24

// ------------------------------------------------------------------ SMTP hosts

export interface SmtpHostProcess {
  address: string;
  name: string;
  port: number;
  /** SIGKILL (or another signal): the process dies, nothing listens any more (connection refused) */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** starts a new process on the same address and port */
  restart(): Promise<void>;
  /** firewall-style blackhole: new connections are accepted and never answered, open ones go silent */
  blackhole(): Promise<void>;
  /** traffic flows again: new connections reach the SMTP server */
  smtp(): Promise<void>;
  /** nothing listens (connection refused); open sessions are reset. `smtp()` listens again */
  stop(): Promise<void>;
  /** alternate: every other new connection gets "421 busy" (up/down on every probe) */
  flap(): Promise<void>;
  readonly alive: boolean;
}

export async function startSmtpHost(address: string, name: string, port = 0): Promise<SmtpHostProcess> {
  let child: ChildProcess | undefined;
  let pending: Array<(line: Record<string, unknown>) => void> = [];
  const boot = async (onPort: number): Promise<number> => {
    const proc = track(spawn(NODE, [join(ROOT, 'test/helpers/smtp-host-process.ts'), address, String(onPort), name], { stdio: ['pipe', 'pipe', 'inherit'] }));
    child = proc;
    pending = [];
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      pending.shift()?.(parsed);
    });
    const first = await new Promise<Record<string, unknown>>((resolveLine, reject) => {
      pending.push(resolveLine);
      proc.once('exit', (code) => reject(new Error(`smtp host ${address} exited (${code}) before listening`)));
    });
    return first.port as number;
  };
  const command = (text: string) =>
    new Promise<void>((resolveCommand, reject) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return reject(new Error(`smtp host ${address} is not running`));
      pending.push((answer) => (answer.error ? reject(new Error(String(answer.error))) : resolveCommand()));
      child.stdin!.write(`${text}\n`);
    });
  const boundPort = await boot(port);
  const host: SmtpHostProcess = {
    address,
    name,
    port: boundPort,
    get alive() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async kill(signal = 'SIGKILL') {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((done) => {
        proc.once('exit', () => done());
        proc.kill(signal);
      });
    },
    async restart() {
      await host.kill('SIGTERM');
      await boot(boundPort);
    },
    blackhole: () => command('blackhole'),
    smtp: () => command('smtp'),
    stop: () => command('stop'),
    flap: () => command('flap'),
  };
  return host;
}

// ------------------------------------------------------------------ dig

/** `dig @server -p port name type +short`: the answer lines (empty for NODATA/NXDOMAIN). */
export function dig(server: string, port: number, name: string, type: string, extra: string[] = []): Promise<string[]> {
  return new Promise((resolveDig, reject) => {
    execFile('dig', [`@${server}`, '-p', String(port), name, type, '+short', '+time=1', '+tries=2', ...extra], { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(new Error(`dig ${name} ${type} @${server}:${port} failed: ${error.message}`));
      resolveDig(stdout.split('\n').map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith(';')));
    });
  });
}

/** The SOA serial the nameserver serves. */
export async function digSerial(server: string, port: number, zone: string): Promise<number> {
  const [soa] = await dig(server, port, zone, 'SOA');
  return Number(soa?.split(/\s+/)[2] ?? Number.NaN);
}

// ------------------------------------------------------------------ the daemon

export interface TestDaemonOptions {
  /** SMTP host addresses, one host (and one process) each: mx1.example.com, mx2.example.com, ... */
  addresses: string[];
  /** nameserver listen address, e.g. 127.0.3.10:5300 */
  dns: string;
  /** HTTP listen address, e.g. 127.0.3.10:8100 */
  http: string;
  /** indices of hosts that also form an outbound pool `relays` (relayN.example.com, smtp.example.com) */
  outbound?: number[];
  /** probe settings (durations as strings: "500ms") merged over fast test defaults */
  probe?: Record<string, unknown>;
  ttl?: number;
  whenAllDown?: 'all' | 'last-known-good' | 'none';
  /** nameserver.transfer.notify targets (address:port) */
  notify?: string[];
  /** token for the API (set in the daemon's environment under MXPOOL_TEST_TOKEN); none = no auth */
  token?: string;
  stateDir?: string;
  /** extra top-level config keys */
  extra?: Record<string, unknown>;
  /** changes the config object before it is written (e.g. add a pool of other servers) */
  editConfig?: (config: Record<string, unknown>) => void;
  /** more environment variables for the daemon (e.g. credentials a config names) */
  env?: Record<string, string>;
}

export interface TestDaemon {
  hosts: SmtpHostProcess[];
  configFile: string;
  stateDir: string;
  /** http://address:port */
  url: string;
  dnsServer: string;
  dnsPort: number;
  /** the running `mxpool serve` process (null after stop) */
  process: ChildProcess | null;
  /** everything the daemon wrote to stderr so far (pino JSON lines) */
  logs(): string;
  dig(name: string, type: string): Promise<string[]>;
  /** SIGTERM (or `signal`) and wait for the exit; resolves with the exit code and how long it took */
  stopDaemon(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** starts `serve` again with the same config and state */
  startDaemon(): Promise<void>;
  /** stops the daemon and every SMTP host */
  close(): Promise<void>;
}

export function testConfig(options: TestDaemonOptions, ports: number[]): Record<string, unknown> {
  const mx = options.addresses.map((address, i) => ({ name: `mx${i + 1}.example.com`, address, port: ports[i], weight: 1 }));
  const pools: Record<string, unknown>[] = [
    { name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hostname: 'mx.example.com', hosts: mx, whenAllDown: options.whenAllDown ?? 'all' },
  ];
  if (options.outbound && options.outbound.length > 0) {
    const relays = options.outbound.map((i) => ({ name: `relay${i + 1}.example.com`, address: options.addresses[i], port: ports[i], weight: 1 }));
    pools.push({ name: 'relays', role: 'outbound', hostname: 'smtp.example.com', hosts: relays, whenAllDown: options.whenAllDown ?? 'all' });
  }
  const [dnsAddress] = options.dns.split(':');
  return {
    zone: 'example.com',
    ttl: options.ttl ?? 30,
    pools,
    // short enough for quick tests, long enough that a loaded CI machine does not time out a live host
    probe: { interval: '1s', timeout: '600ms', rise: 2, fall: 2, jitter: 0, helo: 'probe.example.com', starttls: 'off', hold: true, ...options.probe },
    auth: { spf: { all: '-all' }, dmarc: { p: 'none' } },
    nameserver: {
      listen: [options.dns],
      ns: ['ns1.example.com'],
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' },
      ...(options.notify ? { transfer: { allow: [], notify: options.notify } } : {}),
    },
    records: [{ name: 'ns1.example.com', type: 'A', value: dnsAddress }],
    http: { listen: options.http, ...(options.token ? { tokenEnv: 'MXPOOL_TEST_TOKEN' } : {}) },
    ...options.extra,
  };
}

export async function startTestDaemon(options: TestDaemonOptions): Promise<TestDaemon> {
  const hosts = await Promise.all(options.addresses.map((address, i) => startSmtpHost(address, `mx${i + 1}.example.com`)));
  const dir = tempDir('mxpool-serve-');
  const stateDir = options.stateDir ?? join(dir, 'state');
  const configFile = join(dir, 'mxpool.yaml');
  const config = { ...testConfig(options, hosts.map((h) => h.port)), stateDir };
  options.editConfig?.(config);
  writeFileSync(configFile, stringify(config));
  const [dnsServer, dnsPortText] = options.dns.split(':') as [string, string];
  let stderr = '';
  let child: ChildProcess | null = null;

  const startDaemon = async () => {
    const env = { ...process.env, ...options.env, ...(options.token ? { MXPOOL_TEST_TOKEN: options.token } : {}) };
    const proc = track(spawn(NODE, [join(ROOT, 'src/cli.ts'), 'serve', '--config', configFile, '--log-level', 'debug'], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    child = proc;
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout!.resume();
    // serve imports the whole program before it listens: seconds of CPU, far more on a loaded machine
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`mxpool serve exited with ${proc.exitCode} at start-up:\n${stderr.slice(-3000)}`);
      try {
        const response = await fetch(`http://${options.http}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`mxpool serve did not become healthy within 60 s:\n${stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stopDaemon = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child;
    if (!proc) return { code: null, signal: null, ms: 0 };
    const started = performance.now();
    const exited = proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve({ code: proc.exitCode, signal: proc.signalCode })
      : new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => proc.once('exit', (code, sig) => done({ code, signal: sig })));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    const result = await exited;
    clearTimeout(timer);
    child = null;
    return { ...result, ms: performance.now() - started };
  };

  try {
    await startDaemon();
  } catch (error) {
    // a serve that did not become healthy in time is still running: it must not outlive the test
    await stopDaemon('SIGKILL');
    await Promise.all(hosts.map((h) => h.kill()));
    throw error;
  }
  return {
    hosts,
    configFile,
    stateDir,
    url: `http://${options.http}`,
    dnsServer,
    dnsPort: Number(dnsPortText),
    get process() {
      return child;
    },
    logs: () => stderr,
    dig: (name, type) => dig(dnsServer, Number(dnsPortText), name, type),
    stopDaemon,
    startDaemon,
    async close() {
      await stopDaemon('SIGTERM');
      await Promise.all(hosts.map((h) => h.kill()));
    },
  };
}

export type PoolYaml = { name: string; role: string; hosts: Array<Record<string, unknown>> } & Record<string, unknown>;
export type ConfigYaml = { pools: PoolYaml[]; auth: Record<string, unknown> } & Record<string, unknown>;

/** Rewrites a daemon's config file, as an operator's edit would (before a restart or a reload). */
export function editConfig(file: string, change: (config: ConfigYaml) => void): void {
  const config = parse(readFileSync(file, 'utf8')) as ConfigYaml;
  change(config);
  writeFileSync(file, stringify(config));
}

/** Polls `check` every `everyMs` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 50): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
