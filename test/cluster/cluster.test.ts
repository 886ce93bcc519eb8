// Three real `mxpool serve` nodes agreeing through a real three-member etcd cluster (Debian's etcd,
// in the foreground, on loopback), each probing from its own source address and serving its own
// nameserver; SMTP hosts on loopback, one of which refuses node a's source address only; the real
// Route 53 SDK against the local fake. The scenarios run in order on the same cluster.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { startEtcdCluster, waitHealthy, type EtcdCluster } from '../helpers/etcd.ts';
import { startSmtpHost, waitFor, type SmtpHostProcess } from '../helpers/daemon.ts';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { AXFR_SOURCE, metricValue, nodeProcess, type ClusterNodeProcess } from '../helpers/cluster-nodes.ts';
import { Etcd3 } from 'etcd3';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ETCD = ['127.15.0.1', '127.15.0.2', '127.15.0.3'];
const NODES = [
  { name: 'a', address: '127.15.1.1' },
  { name: 'b', address: '127.15.1.2' },
  { name: 'c', address: '127.15.1.3' },
];
const MX = ['127.15.2.1', '127.15.2.2', '127.15.2.3'];
const PREFIX = '/mxpool/cluster-test';

describe('a cluster of three mxpool nodes agreeing through etcd', { timeout: 60_000 }, () => {
  let dir: string;
  let etcd: EtcdCluster;
  let fake: Route53Fake;
  let hosts: SmtpHostProcess[];
  let picky: SMTPServer;
  let nodes: ClusterNodeProcess[];

  const mxOf = async (node: ClusterNodeProcess) => (await node.dig('example.com', 'MX')).sort();
  const everywhere = async (check: (node: ClusterNodeProcess) => Promise<boolean>) => (await Promise.all(nodes.filter((n) => n.running).map(check))).every(Boolean);
  const serials = async () => Promise.all(nodes.filter((n) => n.running).map((n) => n.serial()));
  /** same SOA serial AND the same records (whole AXFR) on every running node — waited for, as a new
   * agreed version takes a moment to reach every node */
  const expectOneZone = async () => {
    let zones: string[][] = [];
    let all: number[] = [];
    await waitFor('one zone (serial and records) on every node', async () => {
      zones = await Promise.all(nodes.filter((n) => n.running).map((n) => n.axfr()));
      all = await serials();
      return new Set(all).size === 1 && zones.every((zone) => JSON.stringify(zone) === JSON.stringify(zones[0]));
    }, 15_000, 200).catch(() => undefined);
    for (const zone of zones.slice(1)) expect(zone).toEqual(zones[0]);
    expect(new Set(all).size).toBe(1);
    return all[0] as number;
  };
  const r53Mx = () => fake.list().filter((s) => s.name === 'example.com.' && s.type === 'MX').flatMap((s) => s.values).sort();
  /** what the nodes logged about leadership, etcd and provider writes: the message of a failed count */
  const story = () =>
    nodes.flatMap((n) => n.logs().split('\n').filter((l) => /route53|leads|leader|term ended|unreachable|joined|reachable again|sync failed/.test(l)).map((l) => {
      try {
        const entry = JSON.parse(l) as { time: number; msg: string; err?: string; why?: string };
        return `${entry.time} ${n.name}: ${entry.msg}${entry.err ? ` (${entry.err})` : ''}${entry.why ? ` (${entry.why})` : ''}`;
      } catch {
        return `${n.name}: ${l}`;
      }
    })).sort().join('\n');
  const leaderOf = async () => {
    const states = await Promise.all(nodes.filter((n) => n.running).map((n) => n.state()));
    const leaders = new Set(states.map((s) => s.cluster?.leader));
    return leaders.size === 1 ? ([...leaders][0] ?? null) : null;
  };

  beforeAll(async () => {
    dir = tempDir('mxpool-cluster-');
    etcd = await startEtcdCluster(ETCD);
    fake = await Route53Fake.start({ host: '127.15.3.1', zoneId: 'Z0CLUSTER', zoneName: 'example.com' });
    hosts = await Promise.all(MX.slice(0, 2).map((address, i) => startSmtpHost(address, `mx${i + 1}.example.com`, 2525)));
    // mx3 refuses node a's source address only: a's view of it is partial
    picky = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect(session, callback) {
        if (session.remoteAddress === NODES[0]!.address) return callback(new Error('not from 127.15.1.1'));
        callback();
      },
    });
    await new Promise<void>((done) => picky.listen(2525, MX[2], () => done()));
    const hostList = MX.map((address, i) => ({ name: `mx${i + 1}.example.com`, address, port: 2525 }));
    nodes = NODES.map(({ name, address }) =>
      nodeProcess(name, address, join(dir, name), {
        zone: 'example.com',
        ttl: 30,
        pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hostname: 'mx.example.com', hosts: hostList }],
        probe: { interval: '2s', timeout: '1500ms', rise: 2, fall: 2, jitter: 0, helo: 'probe.example.com', starttls: 'off', hold: true, sourceAddress: address },
        auth: { spf: { all: '-all' }, dmarc: { p: 'none' } },
        nameserver: {
          listen: [`${address}:5300`],
          ns: ['ns1.example.com', 'ns2.example.com', 'ns3.example.com'],
          soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' },
          transfer: { allow: [AXFR_SOURCE] },
        },
        records: NODES.map((n, i) => ({ name: `ns${i + 1}.example.com`, type: 'A', value: n.address })),
        providers: { route53: { hostedZoneId: 'Z0CLUSTER', endpoint: fake.endpoint } },
        http: { listen: `${address}:8100` },
        cluster: { etcd: { endpoints: etcd.endpoints, prefix: PREFIX, timeout: '2s' }, node: name, quorum: 'majority', lease: '6s' },
      }),
    );
    await Promise.all(nodes.map((n) => n.start()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((nodes ?? []).map((n) => n.kill('SIGKILL')));
    await Promise.all((hosts ?? []).map((h) => h.kill()));
    await new Promise<void>((done) => (picky ? picky.close(() => done()) : done()));
    await fake?.close();
    await etcd?.close();
  }, 30_000);

  it('serves one zone everywhere; a host refusing one node only stays in (the partial view)', async () => {
    const all = ['10 mx1.example.com.', '10 mx2.example.com.', '10 mx3.example.com.'];
    await waitFor('all three MX on all three nodes', () => everywhere(async (n) => JSON.stringify(await mxOf(n)) === JSON.stringify(all)), 20_000);
    await waitFor('one serial everywhere', async () => new Set(await serials()).size === 1, 10_000);
    await expectOneZone();
    // node a sees mx3 down, b and c see it up: no withdrawal
    await waitFor('node a votes mx3 down', async () => {
      const state = await nodes[1]!.state();
      const votes = state.cluster?.hosts.find((h) => h.host === 'mx3.example.com')?.votes ?? [];
      return votes.some((v) => v.node === 'a' && v.vote === 'down') && votes.filter((v) => v.vote === 'up').length === 2;
    });
    const state = await nodes[0]!.state();
    expect(state.cluster).toMatchObject({ node: 'a', etcd: { state: 'live' }, quorum: { live: 3, downToWithdraw: 2, upToReturn: 2 }, serving: 'agreed' });
    expect(state.cluster!.members.map((m) => m.node).sort()).toEqual(['a', 'b', 'c']);
    expect(state.cluster!.members.every((m) => m.sameConfig)).toBe(true);
    expect(state.pools[0]!.hosts.find((h) => h.name === 'mx3.example.com')).toMatchObject({ state: 'healthy', inDns: true });
    await expectOneZone();
    await waitFor('Route 53 has all three MX', () => r53Mx().length === 3, 15_000);
    const metrics = await nodes[0]!.metrics();
    expect(metricValue(metrics, 'mxpool_cluster_members')).toBe(3);
    expect(metricValue(metrics, 'mxpool_cluster_etcd_up')).toBe(1);
    expect(metricValue(metrics, 'mxpool_cluster_votes{host="mx3.example.com",pool="inbound",vote="down"}')).toBe(1);
    const leaders = await Promise.all(nodes.map(async (n) => metricValue(await n.metrics(), 'mxpool_cluster_leader')));
    expect(leaders.filter((v) => v === 1)).toHaveLength(1);
  });

  it('writes nothing to etcd per probe round while nothing changes', async () => {
    const writes = async () => Promise.all(nodes.map(async (n) => (await n.state()).cluster!.writes));
    const before = await writes();
    await new Promise((r) => setTimeout(r, 6500)); // three probe rounds (interval 2s), several lease renewals
    expect(await writes()).toEqual(before);
  });

  it('withdraws a host that is really down on all three, with one serial and one Route 53 write', async () => {
    const before = await expectOneZone();
    const changes = fake.count('ChangeResourceRecordSets');
    await hosts[1]!.kill();
    await waitFor('mx2 withdrawn everywhere', () => everywhere(async (n) => !(await mxOf(n)).includes('10 mx2.example.com.')), 15_000);
    await waitFor('one serial everywhere', async () => new Set(await serials()).size === 1, 10_000);
    const after = await expectOneZone();
    expect(after).toBeGreaterThan(before);
    await waitFor('mx2 gone from Route 53', () => !r53Mx().includes('10 mx2.example.com.'), 15_000);
    await new Promise((r) => setTimeout(r, 1500)); // a second writer would show up here
    expect(fake.count('ChangeResourceRecordSets'), story()).toBe(changes + 1);
  });

  it('drain through one node (HTTP API) and undrain through another (mxpool undrain) take effect on all', async () => {
    const response = await fetch(`${nodes[1]!.url}/api/hosts/mx1.example.com/drain`, { method: 'POST' });
    expect(response.status).toBe(200);
    const drained = (await response.json()) as { state: string; serial: number; drain: { drainedAt: number } | null };
    expect(drained.state).toBe('draining');
    expect(drained.drain).not.toBeNull();
    await waitFor('mx1 out of MX on all three', () => everywhere(async (n) => !(await mxOf(n)).includes('10 mx1.example.com.')), 10_000);
    expect(await serials()).toEqual([drained.serial, drained.serial, drained.serial]);
    expect((await nodes[2]!.state()).pools[0]!.hosts.find((h) => h.name === 'mx1.example.com')!.state).toBe('draining');
    const cli = await run([join(ROOT, 'src/cli.ts'), 'undrain', 'mx1.example.com', '--config', nodes[2]!.configFile]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/undrained/);
    await waitFor('mx1 back in MX on all three', () => everywhere(async (n) => (await mxOf(n)).includes('10 mx1.example.com.')), 10_000);
    await expectOneZone();
  });

  it('a leader killed: another takes over, provider writes continue, one write per change', async () => {
    const leader = await leaderOf();
    expect(leader).not.toBeNull();
    const victim = nodes.find((n) => n.name === leader)!;
    await victim.kill('SIGKILL');
    try {
      await waitFor('a new leader', async () => {
        const next = await leaderOf();
        return next !== null && next !== leader;
      }, 15_000);
      // the victim may have published a version (the undrain above) it did not live to sync: the new
      // leader's first sync writes it. Count from when Route 53 holds the agreed zone and is quiet.
      await waitFor('Route 53 caught up with the agreed zone', () => r53Mx().includes('10 mx1.example.com.'), 15_000);
      await waitFor('Route 53 quiet for 1.5 s', async () => {
        const seen = fake.count('ChangeResourceRecordSets');
        await new Promise((r) => setTimeout(r, 1500));
        return fake.count('ChangeResourceRecordSets') === seen;
      }, 15_000, 0);
      const changes = fake.count('ChangeResourceRecordSets');
      await hosts[1]!.restart();
      await waitFor('mx2 back on the two nodes left', () => everywhere(async (n) => (await mxOf(n)).includes('10 mx2.example.com.')), 15_000);
      await waitFor('mx2 back in Route 53', () => r53Mx().includes('10 mx2.example.com.'), 15_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(fake.count('ChangeResourceRecordSets'), story()).toBe(changes + 1);
      await expectOneZone();
    } finally {
      await victim.start(); // rejoins once its old lease expired; it does not lead (younger election key)
    }
    await waitFor('three members again', async () => (await nodes[0]!.state()).cluster!.members.length === 3 && (await victim.state()).cluster!.serving === 'agreed', 20_000);
    expect(await leaderOf()).not.toBe(leader);
    await expectOneZone();
  });

  it('one etcd member killed: no effect', async () => {
    const before = await expectOneZone();
    await etcd.members[0]!.kill();
    await new Promise((r) => setTimeout(r, 7000)); // more than a lease
    expect(await serials()).toEqual([before, before, before]);
    // a renewal sent to the dead member fails over to another; the nodes stay joined
    await waitFor('every node joined', () => everywhere(async (n) => (await n.state()).cluster!.etcd.state === 'live'), 10_000);
    expect((await nodes[0]!.state()).cluster!.members).toHaveLength(3);
    await etcd.members[0]!.start();
    await waitHealthy(etcd.members);
  });

  it('a peer that lies costs findings, never a crash or a withdrawal', async () => {
    const before = await expectOneZone();
    const client = new Etcd3({ hosts: etcd.endpoints });
    try {
      const ns = client.namespace(`${PREFIX}/`);
      await ns.put('votes/evil/mx1.example.com').value(JSON.stringify({ vote: 'down', since: 1, reason: 'lies' }));
      await ns.put('votes/evil2/mx2.example.com').value('{not json');
      await ns.put('votes/b/unknown.example.com').value(JSON.stringify({ vote: 'down', since: 1, reason: '' }));
      await ns.put('operator/mx1.example.com').value('x'.repeat(100_000));
      await ns.put('zones/example.org').value(Buffer.from('garbage'));
      await ns.put('something/else').value('?');
      await waitFor('the findings listed', async () => (await nodes[0]!.state()).cluster!.findings.length >= 5, 10_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await serials()).toEqual([before, before, before]);
      const findings = (await nodes[0]!.state()).cluster!.findings.map((f) => f.key).sort();
      expect(findings).toEqual(expect.arrayContaining(['operator/mx1.example.com', 'something/else', 'votes/b/unknown.example.com', 'votes/evil/', 'votes/evil2/mx2.example.com', 'zones/example.org']));
      await ns.delete().prefix('votes/evil');
      await ns.delete().key('votes/b/unknown.example.com');
      await ns.delete().key('operator/mx1.example.com');
      await ns.delete().key('zones/example.org');
      await ns.delete().key('something/else');
    } finally {
      client.close();
    }
    for (const node of nodes) expect(node.running).toBe(true);
  });

  it('all etcd members stopped: nothing withdrawn, answers go on, the state says so; restarted: catch-up', async () => {
    const before = await expectOneZone();
    await Promise.all(etcd.members.map((m) => m.kill()));
    await waitFor('every node says etcd is unreachable', () => everywhere(async (n) => (await n.state()).cluster!.etcd.state === 'unreachable'), 10_000);
    await hosts[0]!.kill(); // mx1 really dies while nobody can agree
    await new Promise((r) => setTimeout(r, 3000));
    expect(await serials()).toEqual([before, before, before]);
    expect(await everywhere(async (n) => (await mxOf(n)).includes('10 mx1.example.com.'))).toBe(true);
    const state = await nodes[1]!.state();
    expect(state.cluster!.etcd.error).toBeTruthy();
    expect(metricValue(await nodes[1]!.metrics(), 'mxpool_cluster_etcd_up')).toBe(0);
    await Promise.all(etcd.members.map((m) => m.start()));
    await waitHealthy(etcd.members);
    await waitFor('mx1 withdrawn everywhere after the catch-up', () => everywhere(async (n) => !(await mxOf(n)).includes('10 mx1.example.com.')), 30_000);
    await waitFor('one serial everywhere', async () => new Set(await serials()).size === 1, 10_000);
    expect(await expectOneZone()).toBeGreaterThan(before);
    expect(await everywhere(async (n) => (await n.state()).cluster!.etcd.state === 'live')).toBe(true);
  });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { timeout: 20_000 }, (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}
