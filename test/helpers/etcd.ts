// Runs a real etcd cluster (Debian's etcd-server) in the foreground, one member per loopback
// address, data in a temp dir: `const etcd = await startEtcdCluster(['127.15.0.1', ...])`.
// Members can be killed and started again (same data dir, same URLs) to play failures; close()
// kills every member and removes the data. Used by the cluster tests and bench/cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { removeTempDir, tempDir } from './temp-dir.ts';
import { track } from './children.ts';

export const ETCD_BIN = '/usr/bin/etcd';

export interface EtcdMember {
  name: string;
  address: string;
  clientUrl: string;
  readonly running: boolean;
  /** SIGKILL by default: the member vanishes without a goodbye */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** starts the member again on its data dir (rejoins the cluster) */
  start(): Promise<void>;
  logs(): string;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  /** GET one member's /metrics text */
  metrics(member?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startEtcdCluster(addresses: string[], options: { clientPort?: number; peerPort?: number } = {}): Promise<EtcdCluster> {
  const clientPort = options.clientPort ?? 2379;
  const peerPort = options.peerPort ?? 2380;
  const dir = tempDir('mxpool-etcd-');
  const names = addresses.map((_, i) => `e${i + 1}`);
  const initialCluster = addresses.map((address, i) => `${names[i]}=http://${address}:${peerPort}`).join(',');
  const members: EtcdMember[] = addresses.map((address, i) => {
    const name = names[i] as string;
    const clientUrl = `http://${address}:${clientPort}`;
    let child: ChildProcess | undefined;
    let log = '';
    let started = false;
    const member: EtcdMember = {
      name,
      address,
      clientUrl,
      get running() {
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
      async start() {
        const args = [
          '--name', name,
          '--data-dir', join(dir, name),
          '--listen-client-urls', clientUrl,
          '--advertise-client-urls', clientUrl,
          '--listen-peer-urls', `http://${address}:${peerPort}`,
          '--initial-advertise-peer-urls', `http://${address}:${peerPort}`,
          '--initial-cluster', initialCluster,
          '--initial-cluster-token', 'mxpool-test',
          '--initial-cluster-state', started ? 'existing' : 'new',
          // etcd's LAN defaults; the nodes' lease (cluster.lease) stays several election timeouts long
          '--heartbeat-interval', '100',
          '--election-timeout', '1000',
          '--logger', 'zap',
          '--log-level', 'warn',
        ];
        started = true;
        const proc = track(spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
        child = proc;
        proc.stderr!.on('data', (chunk: Buffer) => {
          log = (log + chunk.toString()).slice(-20_000);
        });
        await new Promise<void>((resolve, reject) => {
          proc.once('error', reject);
          proc.once('spawn', () => resolve());
        });
      },
      logs: () => log,
    };
    return member;
  });
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    async metrics(index = 0) {
      const response = await fetch(`${(members[index] as EtcdMember).clientUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
      return response.text();
    },
    async close() {
      await Promise.all(members.map((m) => m.kill('SIGKILL')));
      removeTempDir(dir);
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
    await waitHealthy(members);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

/** Every running member answers /health with {"health":"true"} (the cluster has a leader). */
export async function waitHealthy(members: EtcdMember[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const member of members) {
    if (!member.running) continue;
    for (;;) {
      try {
        const response = await fetch(`${member.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await response.json()) as { health?: string };
        if (body.health === 'true') break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`etcd member ${member.name} not healthy within ${timeoutMs} ms:\n${member.logs().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
