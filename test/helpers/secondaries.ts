// NSD, Knot (knotd) and BIND (named) from Debian as TSIG-protected IXFR secondaries of mxpool, run
// in the foreground by the test (or the benchmark) with their own config in a temp dir. The config
// texts are the ones docs/nameserver.md shows. Each reports its own log, so a test can see that
// the secondary itself logged an incremental transfer.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { track } from './children.ts';
import { nsdServerBlock } from './nsd-conf.ts';

export interface TsigSpec {
  name: string;
  algorithm: 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';
  /** base64 */
  secret: string;
}

export interface SecondarySpec {
  zones: string[];
  /** mxpool: address and port */
  primary: { host: string; port: number };
  key: TsigSpec;
  /** where the secondary answers (BIND: 127.0.0.1 only, see DESIGN.md) */
  host: string;
  port: number;
  /** a directory of its own */
  dir: string;
}

export interface Secondary {
  kind: 'nsd' | 'knot' | 'bind';
  host: string;
  port: number;
  /** the config file as written */
  config: string;
  log(): string;
  stop(): Promise<void>;
}

/** A port free for UDP and TCP on `host` right now. */
export async function freePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
    const { port } = socket.address();
    socket.close();
    const { createServer } = await import('node:net');
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port on ${host}`);
}

function run(kind: Secondary['kind'], spec: Pick<SecondarySpec, 'host' | 'port' | 'dir'>, config: string, command: string, args: string[], logFile?: string): Secondary {
  const output: Buffer[] = [];
  // tracked: a test that fails before its afterAll still leaves no daemon running
  const child: ChildProcess = track(spawn(command, args, { cwd: spec.dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  const log = () => {
    let file = '';
    if (logFile) {
      try {
        file = readFileSync(logFile, 'utf8');
      } catch {
        // not written yet
      }
    }
    return file + Buffer.concat(output).toString('utf8');
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
  };
  return { kind, host: spec.host, port: spec.port, config, log, stop };
}

/**
 * What docs/nameserver.md shows for NSD: the key, and the zones pulled from mxpool. Without a key
 * (`key: null`: tests of an unsigned set-up) the transfers and NOTIFYs are unsigned (NOKEY).
 */
export function nsdSecondary(spec: Pick<SecondarySpec, 'zones' | 'primary' | 'host'> & { key: TsigSpec | null }): string {
  const { primary, key } = spec;
  const keyBlock = key ? `key:\n  name: ${key.name}\n  algorithm: ${key.algorithm}\n  secret: "${key.secret}"\n` : '';
  const keyName = key?.name ?? 'NOKEY';
  return `${keyBlock}pattern:
  name: from-mxpool
  # IXFR over TCP first (NSD's default); mxpool answers with the whole zone when it must
  request-xfr: ${primary.host}@${primary.port} ${keyName}
  allow-notify: ${primary.host} ${keyName}
  zonefile: "%s.zone"
  # xfrd connects from this address, the one mxpool's transfer.allow lists with the key
  outgoing-interface: ${spec.host}
${spec.zones.map((zone) => `zone:\n  name: ${zone}\n  include-pattern: from-mxpool\n`).join('')}`;
}

/** NSD may also run without TSIG (`key: null`). */
export type NsdSpec = Omit<SecondarySpec, 'key'> & { key: TsigSpec | null };

/** The whole nsd.conf of a test: its own directory, no privileges dropped, no rate limit. */
export function nsdConfig(spec: NsdSpec): string {
  const { dir } = spec;
  return `${nsdServerBlock({ dir, addresses: [spec.host], port: spec.port, verbosity: 2 })}${nsdSecondary(spec)}`;
}

export function startNsd(spec: NsdSpec): Secondary {
  mkdirSync(spec.dir, { recursive: true });
  const config = nsdConfig(spec);
  writeFileSync(join(spec.dir, 'nsd.conf'), config);
  return run('nsd', spec, config, 'nsd', ['-d', '-c', join(spec.dir, 'nsd.conf')], join(spec.dir, 'nsd.log'));
}

/** What docs/nameserver.md shows for Knot: key, remote, ACL and the zones. */
export function knotSecondary(spec: Pick<SecondarySpec, 'zones' | 'primary' | 'key' | 'host'>): string {
  const { primary, key } = spec;
  return `key:
  - id: ${key.name}
    algorithm: ${key.algorithm}
    secret: ${key.secret}
remote:
  - id: mxpool
    address: ${primary.host}@${primary.port}
    key: ${key.name}
    # transfers leave from this address, the one mxpool's transfer.allow lists with the key
    via: ${spec.host}
acl:
  - id: notify-from-mxpool
    # Knot takes NOTIFY only from its primary's address: mxpool sends it from its listen address
    address: ${primary.host}
    key: ${key.name}
    action: notify
zone:
${spec.zones.map((zone) => `  - domain: ${zone}\n    master: mxpool\n    acl: notify-from-mxpool\n`).join('')}`;
}

/** The whole knot.conf of a test: its own directory for everything. */
export function knotConfig(spec: SecondarySpec): string {
  const { dir } = spec;
  return `server:
    listen: ${spec.host}@${spec.port}
    rundir: "${dir}"
log:
  - target: stderr
    any: info
database:
    storage: "${dir}"
template:
  - id: default
    storage: "${dir}"
${knotSecondary(spec)}`;
}

export function startKnot(spec: SecondarySpec): Secondary {
  mkdirSync(spec.dir, { recursive: true });
  const config = knotConfig(spec);
  writeFileSync(join(spec.dir, 'knot.conf'), config);
  return run('knot', spec, config, 'knotd', ['-c', join(spec.dir, 'knot.conf')]);
}

/** What docs/nameserver.md shows for BIND: the key, the primary's server clause and the zones. */
export function bindSecondary(spec: Pick<SecondarySpec, 'zones' | 'primary' | 'key'>, dir = '/var/lib/bind'): string {
  const { primary, key } = spec;
  return `key "${key.name}" {
  algorithm ${key.algorithm};
  secret "${key.secret}";
};
# every request to mxpool (SOA checks, IXFR) signed with the key
server ${primary.host} {
  keys { ${key.name}; };
  request-ixfr yes;
};
${spec.zones.map((zone) => `zone "${zone}" {
  type secondary;
  primaries port ${primary.port} { ${primary.host} key ${key.name}; };
  allow-notify { ${primary.host}; };
  file "${dir}/${zone}.db";
};
`).join('')}`;
}

/** The whole named.conf of a test: its own directory and port, no control channel. */
export function bindConfig(spec: SecondarySpec): string {
  return `options {
  directory "${spec.dir}";
  pid-file none;
  session-keyfile none;
  listen-on port ${spec.port} { ${spec.host}; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  # BIND >= 9.18.28 refuses RRsets of over 100 records without this (a big pool is one RRset)
  max-records-per-type 0;
};
controls { };
${bindSecondary(spec, spec.dir)}`;
}

export function startBind(spec: SecondarySpec): Secondary {
  mkdirSync(spec.dir, { recursive: true });
  const config = bindConfig(spec);
  writeFileSync(join(spec.dir, 'named.conf'), config);
  // -g: foreground, log to stderr; -d 3 adds the transfer details (IXFR or AXFR) to the log
  return run('bind', spec, config, 'named', ['-g', '-d', '3', '-c', join(spec.dir, 'named.conf')]);
}
