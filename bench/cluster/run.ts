// bench/cluster: three mxpool nodes agreeing through a real three-member etcd cluster, over 1,000
// real SMTP hosts (one peer process), at the DEFAULT probe settings (interval 5s, timeout 3s, rise 2,
// fall 2, hold on) — against ONE node over the same hosts, run first in the same script as the
// reference. Figures:
//   1. seconds from a host's death (SIGKILL-like: connections refused, sessions reset) to the
//      moment the host is gone from every node's answers — for the cluster, with the SOA serial
//      then checked equal on all three;
//   2. etcd writes per probe round while nothing changes (etcd's own counters: puts, txns, deletes,
//      raft proposals; and the lease renewals received), over several rounds.
// Usage: npx node bench/cluster/run.ts [--rounds N] [--hosts N] [--interval S]
//   (default 3 rounds, 1000 hosts, probe interval 5 s; ~6 min)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startEtcdCluster, type EtcdCluster } from '../../test/helpers/etcd.ts';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { nodeProcess, type ClusterNodeProcess } from '../../test/helpers/cluster-nodes.ts';
import { poolsOver, type Listener } from '../probe/pools.ts';
import { queryA } from '../failover/dns-probe.ts';

function argument(name: string, fallback: number, max: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return Math.min(max, Math.max(1, at > 0 ? Number(process.argv[at + 1]) : fallback));
}
const ROUNDS = argument('rounds', 3, 10);
const HOSTS = argument('hosts', 1000, 2000);
const DOMAIN = 'bench.example.test';
const PEER_ADDRESSES = Array.from({ length: 20 }, (_, i) => `127.15.20.${i + 1}`);
const ETCD = ['127.15.10.1', '127.15.10.2', '127.15.10.3'];
const NODES = ['127.15.21.1', '127.15.21.2', '127.15.21.3'];
const PORTS = { zone: DOMAIN, dnsPort: 5399, httpPort: 8199 };
const INTERVAL_MS = argument('interval', 5, 60) * 1000;
/** `--logs DIR`: each node's log (debug level) is written there at the end, for a breakdown of where the time goes */
const LOGS_AT = process.argv.indexOf('--logs');
const LOGS = LOGS_AT > 0 ? process.argv[LOGS_AT + 1] : undefined;
const PROBE = { interval: `${INTERVAL_MS / 1000}s`, timeout: '3s', rise: 2, fall: 2, jitter: 0.1, hold: true, starttls: 'off' };

const dir = tempDir('mxpool-bench-cluster-');
const peer = spawn(process.execPath, [fileURLToPath(new URL('./peer.ts', import.meta.url)), JSON.stringify({ addresses: PEER_ADDRESSES, perAddress: Math.ceil(HOSTS / PEER_ADDRESSES.length) })], { stdio: ['pipe', 'pipe', 'inherit'] });
const peerLines = createInterface({ input: peer.stdout! });
const waiting: Array<(line: string) => void> = [];
peerLines.on('line', (line) => waiting.shift()?.(line));
const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
const peerCommand = async (text: string) => {
  const answer = nextLine();
  peer.stdin!.write(`${text}\n`);
  const parsed = JSON.parse(await answer) as { error?: string };
  if (parsed.error) throw new Error(parsed.error);
};
let etcd: EtcdCluster | undefined;
let running: ClusterNodeProcess[] = [];
const logged: ClusterNodeProcess[] = [];

function nodeConfig(listeners: Listener[], address: string, cluster: Record<string, unknown> | undefined) {
  return {
    zone: DOMAIN,
    pools: poolsOver(listeners, HOSTS, DOMAIN),
    probe: { ...PROBE, sourceAddress: address },
    nameserver: { listen: [`${address}:${PORTS.dnsPort}`], ns: [`ns1.${DOMAIN}`], soa: { mname: `ns1.${DOMAIN}`, rname: `hostmaster.${DOMAIN}` } },
    http: { listen: `${address}:${PORTS.httpPort}` },
    ...(cluster ? { cluster } : {}),
  };
}

async function allHealthy(node: ClusterNodeProcess): Promise<boolean> {
  const state = await node.state();
  return state.pools.every((pool) => pool.hosts.every((host) => host.state === 'healthy' && host.inDns));
}

async function until(what: string, check: () => Promise<boolean>, limitMs: number, everyMs = 250): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** host index -> the peer's listener index serving it (poolsOver spreads hosts over the listeners) */
let listenerOf: (host: number) => number = (host) => host;

let killedAt = 0;

/** Kills host `index`, returns ms until it is out of every node's answers (polled every 20 ms). */
async function withdrawalMs(nodes: ClusterNodeProcess[], index: number): Promise<number> {
  const name = `h${index}.${DOMAIN}`;
  const gone = new Map<string, number>();
  const t0 = performance.now();
  killedAt = Date.now();
  await peerCommand(`stop ${listenerOf(index)}`);
  while (gone.size < nodes.length) {
    if (performance.now() - t0 > 60_000) throw new Error(`${name} still in DNS 60 s after its death`);
    await Promise.all(nodes.filter((n) => !gone.has(n.name)).map(async (node) => {
      const answer = await queryA(node.address, PORTS.dnsPort, name, 400);
      if (answer !== null && answer.length === 0) gone.set(node.name, performance.now() - t0);
    }));
    await new Promise((r) => setTimeout(r, 20));
  }
  return Math.max(...gone.values());
}

async function measureFailover(label: string, nodes: ClusterNodeProcess[]): Promise<number[]> {
  const times: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const index = Math.floor(Math.random() * HOSTS);
    await new Promise((r) => setTimeout(r, Math.random() * INTERVAL_MS)); // not in step with the probes
    const ms = await withdrawalMs(nodes, index);
    const serials = await Promise.all(nodes.map((n) => n.serial()));
    if (new Set(serials).size !== 1) throw new Error(`${label}: serials differ after the withdrawal: ${serials.join(', ')}`);
    times.push(ms);
    process.stdout.write(`${label} round ${round}: h${index} out of DNS on ${nodes.length === 1 ? 'the node' : 'all three nodes'} after ${(ms / 1000).toFixed(2)} s (serial ${serials[0]})\n`);
    for (const line of breakdown(nodes, `h${index}.${DOMAIN}`, killedAt, serials[0] as number)) process.stdout.write(`  ${line}\n`);
    await peerCommand(`start ${listenerOf(index)}`);
    await until(`h${index} back`, async () => (await Promise.all(nodes.map((n) => queryA(n.address, PORTS.dnsPort, `h${index}.${DOMAIN}`, 400)))).every((a) => a !== null && a.length > 0), 40_000);
  }
  return times;
}

/**
 * Where the time went, from the nodes' own logs (debug level), in seconds after the kill: when each
 * node lost its held session, saw the host down (rise/fall), had its vote in etcd, and served the
 * new serial; when the leader's agreed version was in etcd.
 */
function breakdown(nodes: ClusterNodeProcess[], host: string, at: number, serial: number): string[] {
  const lines: string[] = [];
  const after = (time: number) => `+${((time - at) / 1000).toFixed(2)} s`;
  for (const node of nodes) {
    const events = node.logs().split('\n').flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { time: number; msg: string; host?: string; hosts?: string[]; to?: string; serial?: number; queued?: number };
        return entry.time >= at - 50 ? [entry] : [];
      } catch {
        return [];
      }
    });
    const first = (test: (e: (typeof events)[number]) => boolean) => events.find(test);
    const parts: string[] = [];
    const lost = first((e) => e.host === host && e.msg.startsWith('held SMTP session lost'));
    if (lost) parts.push(`held session lost ${after(lost.time)} (${lost.queued ?? 0} probes queued)`);
    const confirm = first((e) => e.host === host && e.msg.startsWith('a peer saw the host fail'));
    if (confirm) parts.push(`confirm probe ${after(confirm.time)}`);
    const down = first((e) => e.host === host && e.msg === 'host health changed' && e.to === 'unhealthy');
    if (down) parts.push(`down ${after(down.time)}`);
    const vote = first((e) => e.msg === 'cluster: votes written' && (e.hosts ?? []).includes(host));
    if (vote) parts.push(`vote in etcd ${after(vote.time)}`);
    const wrote = first((e) => e.msg === 'cluster: agreed version written' && e.serial === serial);
    if (wrote) parts.push(`LEADER: agreed version in etcd ${after(wrote.time)}`);
    const served = first((e) => e.msg === (nodes.length === 1 ? 'zone published' : 'cluster: serving the agreed zone') && e.serial === serial);
    if (served) parts.push(`serves ${serial} ${after(served.time)}`);
    lines.push(`${node.name}: ${parts.join(', ') || 'nothing logged'}`);
  }
  return lines;
}

async function etcdCounters(cluster: EtcdCluster): Promise<Record<string, number>> {
  const texts = await Promise.all(cluster.members.map((_, i) => cluster.metrics(i)));
  const value = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
  const keepalives = texts.reduce((sum, text) => sum + value(text, 'grpc_server_msg_received_total{grpc_method="LeaseKeepAlive",grpc_service="etcdserverpb.Lease",grpc_type="bidi_stream"}'), 0);
  const first = texts[0] as string;
  return {
    puts: value(first, 'etcd_mvcc_put_total'),
    txns: value(first, 'etcd_mvcc_txn_total'),
    deletes: value(first, 'etcd_mvcc_delete_total'),
    proposals: value(first, 'etcd_server_proposals_committed_total'),
    renewals: keepalives,
  };
}

const summary = (times: number[]) => {
  const s = times.map((t) => t / 1000);
  return `min ${Math.min(...s).toFixed(2)} s, mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2)} s, max ${Math.max(...s).toFixed(2)} s`;
};

try {
  const { listeners } = JSON.parse(await nextLine()) as { listeners: Listener[] };
  const byEndpoint = new Map(listeners.map((l, i) => [`${l.address}:${l.port}`, i]));
  const hostEndpoints = new Map(poolsOver(listeners, HOSTS, DOMAIN).flatMap((pool) => pool.hosts.map((h) => [h.name, `${h.address}:${h.port}`] as const)));
  listenerOf = (host) => byEndpoint.get(hostEndpoints.get(`h${host}.${DOMAIN}`) ?? '') ?? -1;
  process.stdout.write(`peer: ${listeners.length} SMTP servers on ${PEER_ADDRESSES.length} addresses; ${HOSTS} hosts, probe interval ${PROBE.interval}, timeout 3s, rise 2, fall 2, hold on\n`);

  // 1. the reference: one node, no cluster
  const single = nodeProcess('single', NODES[0]!, join(dir, 'single'), nodeConfig(listeners, NODES[0]!, undefined), PORTS);
  running = [single];
  await single.start();
  await until('every host healthy on the single node', () => allHealthy(single), 60_000);
  const singleTimes = await measureFailover('single node', [single]);
  await single.kill('SIGTERM');
  logged.push(single);

  // 2. three nodes agreeing through etcd
  etcd = await startEtcdCluster(ETCD);
  const nodes = NODES.map((address, i) =>
    nodeProcess(`n${i + 1}`, address, join(dir, `n${i + 1}`), nodeConfig(listeners, address, { etcd: { endpoints: etcd!.endpoints, prefix: '/mxpool/bench' }, node: `n${i + 1}`, lease: '10s' }), PORTS),
  );
  running = nodes;
  await Promise.all(nodes.map((n) => n.start()));
  await until('every host healthy on all three nodes', async () => (await Promise.all(nodes.map(allHealthy))).every(Boolean), 90_000);
  await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS)); // settle: first-round votes written
  const before = await etcdCounters(etcd);
  const writesBefore = (await Promise.all(nodes.map(async (n) => (await n.state()).cluster?.writes ?? 0))).reduce((a, b) => a + b, 0);
  const quietRounds = 4;
  await new Promise((r) => setTimeout(r, quietRounds * INTERVAL_MS));
  const after = await etcdCounters(etcd);
  const writesAfter = (await Promise.all(nodes.map(async (n) => (await n.state()).cluster?.writes ?? 0))).reduce((a, b) => a + b, 0);
  const delta = Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
  process.stdout.write(`quiet: ${quietRounds} probe rounds x ${HOSTS} hosts x 3 nodes (${quietRounds * HOSTS * 3} probes): etcd puts ${delta.puts}, txns ${delta.txns}, deletes ${delta.deletes}, raft proposals ${delta.proposals}; lease renewals ${delta.renewals}; the nodes' own write counters +${writesAfter - writesBefore}\n`);
  const clusterTimes = await measureFailover('cluster', nodes);

  process.stdout.write(`\nsingle node: host death -> out of DNS: ${summary(singleTimes)}\n`);
  process.stdout.write(`three nodes: host death -> out of DNS on all three, same serial: ${summary(clusterTimes)}\n`);
  const meanSingle = singleTimes.reduce((a, b) => a + b, 0) / singleTimes.length;
  const meanCluster = clusterTimes.reduce((a, b) => a + b, 0) / clusterTimes.length;
  process.stdout.write(`cluster - single (means): ${meanCluster >= meanSingle ? '+' : ''}${((meanCluster - meanSingle) / 1000).toFixed(2)} s (goal: <= +1 s); etcd writes per quiet probe round: ${((delta.puts ?? 0) + (delta.deletes ?? 0)) / quietRounds} (goal: 0)\n`);
} finally {
  await Promise.all(running.map((n) => n.kill('SIGTERM')));
  if (LOGS) {
    mkdirSync(LOGS, { recursive: true });
    for (const node of [...logged, ...running]) writeFileSync(join(LOGS, `${node.name}.log`), node.logs());
  }
  await etcd?.close();
  peer.kill('SIGTERM');
}
