// Tenant zones in a cluster: every node builds them from the agreed hosts, with the serial the leader
// decided — so a node that joins late (its own history would start the zone at serial ..01) serves
// the same serial as the others. Real etcd (one member), real `mxpool serve` nodes, real SMTP hosts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { startEtcdCluster, type EtcdCluster } from '../helpers/etcd.ts';
import { startSmtpHost, waitFor, type SmtpHostProcess } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { digLines, nodeProcess, type ClusterNodeProcess } from '../helpers/cluster-nodes.ts';

const ETCD = ['127.15.8.1'];
const NODES = [
  { name: 'a', address: '127.15.11.1' },
  { name: 'b', address: '127.15.11.2' },
  { name: 'c', address: '127.15.11.3' },
];
const MX = ['127.15.12.1', '127.15.12.2'];
const TENANT = 'customer1.example';

describe('tenant zones in a cluster', { timeout: 60_000 }, () => {
  let etcd: EtcdCluster;
  let hosts: SmtpHostProcess[];
  let nodes: ClusterNodeProcess[];

  // a node answers HTTP a moment before its nameserver listens: no answer yet is no MX yet
  const tenantMx = async (node: ClusterNodeProcess) => (await digLines(node.address, 5300, [TENANT, 'MX', '+short']).catch(() => [])).sort();
  const tenantSerial = async (node: ClusterNodeProcess) => Number((await digLines(node.address, 5300, [TENANT, 'SOA', '+short']))[0]?.split(/\s+/)[2]);

  beforeAll(async () => {
    const dir = tempDir('mxpool-cluster-tenants-');
    etcd = await startEtcdCluster(ETCD);
    hosts = await Promise.all(MX.map((address, i) => startSmtpHost(address, `mx${i + 1}.example.com`)));
    nodes = NODES.map(({ name, address }) =>
      nodeProcess(name, address, join(dir, name), {
        zone: 'example.com',
        ttl: 30,
        pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hostname: 'mx.example.com', hosts: MX.map((a, i) => ({ name: `mx${i + 1}.example.com`, address: a, port: hosts[i]!.port })) }],
        tenants: [{ zone: TENANT, mx: [{ pool: 'inbound' }] }],
        probe: { interval: '2s', timeout: '1s', rise: 2, fall: 2, jitter: 0, helo: 'probe.example.com', starttls: 'off', hold: true, sourceAddress: address },
        auth: { spf: { all: '-all' }, dmarc: { p: 'none' } },
        nameserver: { listen: [`${address}:5300`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
        records: [{ name: 'ns1.example.com', type: 'A', value: NODES[0]!.address }],
        http: { listen: `${address}:8100` },
        cluster: { etcd: { endpoints: etcd.endpoints, prefix: '/mxpool/tenants-test', timeout: '2s' }, node: name, lease: '4s' },
      }),
    );
    await Promise.all(nodes.slice(0, 2).map((n) => n.start()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((nodes ?? []).map((n) => n.kill('SIGKILL')));
    await Promise.all((hosts ?? []).map((h) => h.kill()));
    await etcd?.close();
  }, 30_000);

  it('a node that joins after a change serves the tenant zone with the serial the others serve', async () => {
    const [a, b, c] = nodes as [ClusterNodeProcess, ClusterNodeProcess, ClusterNodeProcess];
    const both = ['10 mx1.example.com.', '10 mx2.example.com.'];
    await waitFor('both MX in the tenant zone on a and b', async () => (await Promise.all([a, b].map(tenantMx))).every((mx) => JSON.stringify(mx) === JSON.stringify(both)), 30_000);
    const first = await tenantSerial(a);
    expect(await tenantSerial(b)).toBe(first);

    await hosts[1]!.kill();
    await waitFor('mx2 gone from the tenant zone on a and b', async () => (await Promise.all([a, b].map(tenantMx))).every((mx) => JSON.stringify(mx) === JSON.stringify(['10 mx1.example.com.'])), 15_000);
    const second = await tenantSerial(a);
    expect(second).toBeGreaterThan(first);
    expect(await tenantSerial(b)).toBe(second);

    await c.start(); // a fresh node: on its own it would start the zone at its first serial
    await waitFor('c serves the agreed zone', async () => (await c.state()).cluster?.serving === 'agreed', 20_000);
    await waitFor('the tenant zone on c', async () => JSON.stringify(await tenantMx(c)) === JSON.stringify(['10 mx1.example.com.']), 10_000);
    expect(await tenantSerial(c)).toBe(second);
    expect((await c.state()).cluster?.findings).toEqual([]);
  });
});
