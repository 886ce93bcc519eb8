// Three mxpool nodes over a real etcd (one member: enough here): node a holds SMTP sessions, nodes b
// and c probe once every two minutes and hold nothing — so when a host dies only a notices by itself,
// and b and c look at once only because a's "down" vote asks them to (confirm probes). Node c runs in
// this process, so `Daemon.drain()` is called as a program embedding mxpool would. Operator actions
// through any node (disable/enable by API and CLI, drain in-process) take effect on all three.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startEtcdCluster, type EtcdCluster } from '../helpers/etcd.ts';
import { startSmtpHost, waitFor, type SmtpHostProcess } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { digLines, nodeProcess, type ClusterNodeProcess } from '../helpers/cluster-nodes.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { startDaemon, type Daemon } from '../../src/daemon.ts';
import { realServices } from '../../src/daemon/wiring.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ETCD = ['127.15.4.1'];
const NODES = [
  { name: 'a', address: '127.15.6.1', hold: true },
  { name: 'b', address: '127.15.6.2', hold: false },
  { name: 'c', address: '127.15.6.3', hold: false },
];
const MX = ['127.15.5.1', '127.15.5.2', '127.15.5.3'];

describe('a cluster: confirm probes, and operator actions through any node', { timeout: 60_000 }, () => {
  let dir: string;
  let etcd: EtcdCluster;
  let hosts: SmtpHostProcess[];
  let processes: ClusterNodeProcess[];
  let c: Daemon | undefined;
  let cConfigFile: string;

  // a node answers HTTP a moment before its nameserver listens: no answer yet is no MX yet
  const mxOf = async (address: string) => (await digLines(address, 5300, ['example.com', 'MX', '+short']).catch(() => [])).sort();
  const serialOf = async (address: string) => Number((await digLines(address, 5300, ['example.com', 'SOA', '+short']))[0]?.split(/\s+/)[2]);
  const everywhere = async (check: (address: string) => Promise<boolean>) => (await Promise.all(NODES.map((n) => check(n.address)))).every(Boolean);
  const serials = () => Promise.all(NODES.map((n) => serialOf(n.address)));
  const stateOf = async (address: string, host: string) => {
    const state = (await (await fetch(`http://${address}:8100/api/state`)).json()) as { pools: { hosts: { name: string; state: string }[] }[] };
    return state.pools[0]!.hosts.find((h) => h.name === host)?.state;
  };

  function config(node: (typeof NODES)[number]) {
    return {
      zone: 'example.com',
      ttl: 30,
      pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hostname: 'mx.example.com', whenAllDown: 'none', hosts: MX.map((address, i) => ({ name: `mx${i + 1}.example.com`, address, port: hosts[i]!.port })) }],
      // two minutes between scheduled probes: within this test, b and c probe only when asked to
      probe: { interval: '120s', timeout: '1500ms', rise: 2, fall: 2, jitter: 0, helo: 'probe.example.com', starttls: 'off', hold: node.hold, sourceAddress: node.address },
      auth: { spf: { all: '-all' }, dmarc: { p: 'none' } },
      nameserver: { listen: [`${node.address}:5300`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
      records: [{ name: 'ns1.example.com', type: 'A', value: NODES[0]!.address }],
      http: { listen: `${node.address}:8100` },
      cluster: { etcd: { endpoints: etcd.endpoints, prefix: '/mxpool/actions-test', timeout: '2s' }, node: node.name, lease: '4s' },
    };
  }

  beforeAll(async () => {
    dir = tempDir('mxpool-cluster-actions-');
    etcd = await startEtcdCluster(ETCD);
    hosts = await Promise.all(MX.map((address, i) => startSmtpHost(address, `mx${i + 1}.example.com`)));
    processes = NODES.slice(0, 2).map((node) => nodeProcess(node.name, node.address, join(dir, node.name), config(node)));
    cConfigFile = join(dir, 'c.yaml');
    writeFileSync(cConfigFile, stringify({ ...config(NODES[2]!), stateDir: join(dir, 'c-state') }));
    await Promise.all(processes.map((p) => p.start()));
    const cConfig = loadConfig(cConfigFile);
    c = await startDaemon({ config: cConfig, logger: silentLogger, services: realServices(cConfig, silentLogger) });
  }, 60_000);

  afterAll(async () => {
    await c?.stop();
    await Promise.all((processes ?? []).map((p) => p.kill('SIGKILL')));
    await Promise.all((hosts ?? []).map((h) => h.kill()));
    await etcd?.close();
  }, 30_000);

  it('a host dies: the node holding a session sees it, the others confirm at once, it is withdrawn everywhere', async () => {
    const all = ['10 mx1.example.com.', '10 mx2.example.com.', '10 mx3.example.com.'];
    await waitFor('all three MX on all three nodes, one serial', async () => (await everywhere(async (a) => JSON.stringify(await mxOf(a)) === JSON.stringify(all))) && new Set(await serials()).size === 1, 30_000);
    const started = performance.now();
    await hosts[1]!.kill();
    await waitFor('mx2 withdrawn everywhere', () => everywhere(async (a) => !(await mxOf(a)).includes('10 mx2.example.com.')), 15_000, 100);
    // far sooner than b's or c's next scheduled probe (two minutes): they looked because a voted down
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(new Set(await serials()).size).toBe(1);
    const state = (await c!.state()).cluster!;
    const votes = state.hosts.find((h) => h.host === 'mx2.example.com')!.votes;
    expect(votes.map((v) => `${v.node}:${v.vote}`).sort()).toEqual(['a:down', 'b:down', 'c:down']);
    expect(processes[1]!.logs()).toMatch(/"host":"mx2\.example\.com".*"msg":"a peer saw the host fail: probing it now"/);
  });

  it('disable through node b (API) and enable through node c (mxpool enable): on all three, one serial', async () => {
    const response = await fetch(`http://${NODES[1]!.address}:8100/api/hosts/mx1.example.com/disable`, { method: 'POST' });
    expect(response.status).toBe(200);
    const disabled = (await response.json()) as { state: string; serial: number };
    expect(disabled.state).toBe('disabled');
    await waitFor('mx1 out of MX on all three', () => everywhere(async (a) => !(await mxOf(a)).includes('10 mx1.example.com.')), 10_000);
    expect(await serials()).toEqual([disabled.serial, disabled.serial, disabled.serial]);
    for (const node of NODES) expect(await stateOf(node.address, 'mx1.example.com')).toBe('disabled');
    expect(c!.zone()?.serial).toBe(disabled.serial);

    const cli = await run([join(ROOT, 'src/cli.ts'), 'enable', 'mx1.example.com', '--config', cConfigFile]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/mx1\.example\.com: enabled, now healthy; back in DNS/);
    await waitFor('mx1 back in MX on all three', () => everywhere(async (a) => (await mxOf(a)).includes('10 mx1.example.com.')), 10_000);
    await waitFor('one serial everywhere', async () => new Set(await serials()).size === 1, 10_000);
    expect(await serials()).not.toContain(disabled.serial);
    for (const node of NODES) expect(await stateOf(node.address, 'mx1.example.com')).toBe('healthy');
  });

  it('Daemon.drain()/undrain() in-process on a cluster node go through etcd to every node', async () => {
    const drained = await c!.drain('mx3.example.com');
    expect(drained).toMatchObject({ host: 'mx3.example.com', state: 'draining' });
    expect(drained.drain?.safeToStopAt).toBe(drained.drain!.drainedAt + 60_000);
    await waitFor('mx3 out of MX on all three', () => everywhere(async (a) => !(await mxOf(a)).includes('10 mx3.example.com.')), 10_000);
    expect(await serials()).toEqual([drained.serial, drained.serial, drained.serial]);
    expect(await stateOf(NODES[0]!.address, 'mx3.example.com')).toBe('draining');
    const back = await c!.undrain('mx3.example.com');
    expect(back.state).toBe('healthy');
    await waitFor('mx3 back on all three', () => everywhere(async (a) => (await mxOf(a)).includes('10 mx3.example.com.')), 10_000);
    expect(await serials()).toEqual([back.serial, back.serial, back.serial]);
    await expect(c!.disable('nope.example.com')).rejects.toThrow(/no host named nope\.example\.com/);
  });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { timeout: 20_000 }, (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}
