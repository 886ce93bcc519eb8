// MTA-STS in a cluster: two real `mxpool serve` nodes agreeing through a real etcd. Each node runs
// its own policy server (curl over HTTPS with the test CA): the same text everywhere, and the
// `_mta-sts` id every node's nameserver serves is the digest of it. A host added to the config
// (the nodes restarted with it: a cluster does not reload) enters MX on both nodes only at the
// deadline the leader logged — one TTL after the new policy and its id went out — never before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startEtcdCluster, type EtcdCluster } from '../helpers/etcd.ts';
import { nodeProcess, type ClusterNodeProcess } from '../helpers/cluster-nodes.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { run, startTlsSmtpHost, until, type TlsSmtpHost } from './helpers.ts';

const ETCD = '127.18.11.1';
const NODES = [
  { name: 'a', address: '127.18.11.11' },
  { name: 'b', address: '127.18.11.12' },
];
const HOSTS = ['127.18.11.21', '127.18.11.22', '127.18.11.23'];
const TTL = 8;

let pki: TestPki;
let cert: { certFile: string; keyFile: string };
let smtp: TlsSmtpHost[] = [];
let etcd: EtcdCluster | undefined;
let nodes: ClusterNodeProcess[] = [];
let dir: string;

function config(name: string, address: string, hostCount: number): Record<string, unknown> {
  return {
    zone: 'example.com',
    ttl: TTL,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.slice(0, hostCount).map((a, i) => ({ name: `mx${i + 1}.example.com`, address: a, port: 25 })) }],
    // forgiving probes: mx1/mx2 must not flap (the never-empty rule would publish mx3 at once)
    probe: { interval: '3s', timeout: '2500ms', rise: 1, fall: 5, jitter: 0, helo: 'probe.example.com', starttls: 'optional', hold: false, caFile: pki.caFile, sourceAddress: address },
    auth: { mtaSts: { mode: 'enforce', maxAge: '1d', address: NODES.map((n) => n.address), https: { listen: `${address}:443`, certFile: cert.certFile, keyFile: cert.keyFile } } },
    nameserver: { listen: [`${address}:53`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
    records: [{ name: 'ns1.example.com', type: 'A', value: address }],
    http: { listen: `${address}:8100` },
    cluster: { etcd: { endpoints: etcd!.endpoints, prefix: '/mxpool/mta-sts-test', timeout: '2s' }, node: name, quorum: 'majority', lease: '6s' },
    stateDir: join(dir, name, 'state'),
  };
}

/** The policy text a node's HTTPS server hands out. */
async function policyAt(node: ClusterNodeProcess): Promise<string> {
  const result = await run('curl', ['-sS', '--fail', '--max-time', '5', '--cacert', pki.caFile, '--resolve', `mta-sts.example.com:443:${node.address}`, 'https://mta-sts.example.com/.well-known/mta-sts.txt']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}
const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const idAt = async (node: ClusterNodeProcess) => /id=(\w+)/.exec((await node.dig('_mta-sts.example.com', 'TXT'))[0] ?? '')?.[1];
const mxAt = async (node: ClusterNodeProcess) => (await node.dig('example.com', 'MX')).map((line) => line.split(' ')[1]).sort();

beforeAll(async () => {
  pki = makeTestPki();
  cert = pki.leaf('mta-sts.example.com');
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pki.leaf(`mx${i + 1}.example.com`))));
  etcd = await startEtcdCluster([ETCD]);
  dir = tempDir('mxpool-cluster-mta-sts-');
  nodes = NODES.map(({ name, address }) => nodeProcess(name, address, join(dir, name), config(name, address, 2), { dnsPort: 53 }));
  await Promise.all(nodes.map((node) => node.start()));
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
  await etcd?.close();
  await Promise.all(smtp.map((host) => host.close()));
  pki?.cleanup();
}, 30_000);

describe('MTA-STS in a cluster', () => {
  it('every node serves the same policy, and the id every nameserver serves is its digest', async () => {
    const texts = await Promise.all(nodes.map(policyAt));
    expect(texts[0]).toBe('version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 86400\r\n');
    expect(texts[1]).toBe(texts[0]);
    for (const node of nodes) {
      const id = await until(`the _mta-sts id at node ${node.name}`, 45_000, () => idAt(node));
      expect(id, `node ${node.name}`).toBe(digest(texts[0] as string));
      expect(await node.dig('mta-sts.example.com', 'A').then((a) => a.sort())).toEqual(NODES.map((n) => n.address));
    }
  }, 90_000);

  it('a host added (the nodes restarted with it) enters MX on both nodes at the leader\'s deadline, not before', async () => {
    // the first policy everywhere for one TTL: nothing held on the leader (else the never-empty
    // rule, with every host new, would publish all at once)
    await until('nothing held back', 60_000, async () => {
      const states = await Promise.all(nodes.map((node) => node.state()));
      return states.every((state) => state.transport?.heldMx.length === 0) ? true : undefined;
    });
    const oldId = await idAt(nodes[0] as ClusterNodeProcess);
    // a cluster does not reload: stop both, start both with the new config
    await Promise.all(nodes.map((node) => node.kill('SIGTERM')));
    for (const [i, { name, address }] of NODES.entries()) writeFileSync((nodes[i] as ClusterNodeProcess).configFile, stringify(config(name, address, 3)));
    const restartedAt = Date.now();
    await Promise.all(nodes.map((node) => node.start()));
    const texts = await Promise.all(nodes.map(policyAt));
    expect(texts[0]).toContain('mx: mx3.example.com\r\n');
    expect(texts[1]).toBe(texts[0]);
    const newId = digest(texts[0] as string);
    expect(newId).not.toBe(oldId);
    // watch both nodes' MX and id until mx3 is in MX everywhere
    const answers: { node: string; at: number; mx3: boolean; id: string | undefined }[] = [];
    await until('mx3 in MX on both nodes', 60_000, async () => {
      // `at`: when the MX answer came back (an answer naming mx3 proves it was in MX by then)
      const seen = await Promise.all(nodes.map(async (node) => {
        const id = await idAt(node);
        const mx3 = (await mxAt(node)).includes('mx3.example.com.');
        return { node: node.name, at: Date.now(), mx3, id };
      }));
      answers.push(...seen);
      return seen.every((s) => s.mx3) ? true : undefined;
    });
    // the deadline the deciding leader logged while it held a healthy mx3 back
    const deadlines = nodes.flatMap((node) => [...node.logs().matchAll(/MTA-STS: mx3\.example\.com enters MX at (\S+),/g)].map((m) => Date.parse(m[1] as string)));
    expect(deadlines.length, nodes.map((n) => n.logs().slice(-3000)).join('\n---\n')).toBeGreaterThan(0);
    const deadline = Math.min(...deadlines);
    expect(deadline).toBeGreaterThanOrEqual(restartedAt + TTL * 1000);
    // no node ever named mx3 in MX before that deadline, nor with the old id
    for (const answer of answers.filter((a) => a.mx3)) {
      expect(answer.at, `node ${answer.node}`).toBeGreaterThanOrEqual(deadline);
      expect(answer.id, `node ${answer.node}`).toBe(newId);
    }
    // both nodes held it back the same way: each saw the new id before mx3
    for (const node of nodes) expect(answers.some((a) => a.node === node.name && a.id === newId && !a.mx3), `node ${node.name}`).toBe(true);
    await until('one serial on both nodes', 20_000, async () => (new Set(await Promise.all(nodes.map((node) => node.serial()))).size === 1 ? true : undefined));
  }, 150_000);
});
