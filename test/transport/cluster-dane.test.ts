// DANE in a cluster: two real `mxpool serve` nodes agreeing through a real etcd (Debian's, in the
// foreground) over two STARTTLS servers. Every node serves the TLSA of the keys the hosts present;
// a key replaced mid-test — no health change — makes the leader decide again: both nodes serve
// the old and the new key, openssl verifies the host against what each node serves, and the
// TLSA RRset is the same everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startEtcdCluster, type EtcdCluster } from '../helpers/etcd.ts';
import { nodeProcess, type ClusterNodeProcess } from '../helpers/cluster-nodes.ts';
import { makeTestPki, type KeyPair, type TestPki } from '../helpers/smtp/test-ca.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { daneVerify, spkiSha256, startTlsSmtpHost, until, type TlsSmtpHost } from './helpers.ts';

const ETCD = '127.18.5.1';
const NODES = [
  { name: 'a', address: '127.18.5.11' },
  { name: 'b', address: '127.18.5.12' },
];
const HOSTS = ['127.18.5.21', '127.18.5.22'];
const NAMES = ['mx1.example.com', 'mx2.example.com'];

let pki: TestPki;
let pairs: KeyPair[];
let smtp: TlsSmtpHost[] = [];
let etcd: EtcdCluster | undefined;
let nodes: ClusterNodeProcess[] = [];

/** The TLSA RRset a node serves for `name`, as "3 1 1 <hex>" lines, sorted. */
async function tlsaAt(node: ClusterNodeProcess, name: string): Promise<string[]> {
  const lines = await node.dig(`_25._tcp.${name}`, 'TLSA');
  return lines.map((l) => l.replace(/^(\d+ \d+ \d+) (.*)$/, (_all, head: string, hex: string) => `${head} ${hex.replace(/\s+/g, '').toLowerCase()}`)).sort();
}

beforeAll(async () => {
  pki = makeTestPki();
  pairs = NAMES.map((name) => pki.leaf(name));
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pairs[i] as KeyPair)));
  etcd = await startEtcdCluster([ETCD]);
  const dir = tempDir('mxpool-cluster-dane-');
  nodes = NODES.map(({ name, address }) =>
    nodeProcess(name, address, join(dir, name), {
      zone: 'example.com',
      ttl: 6,
      pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.map((a, i) => ({ name: NAMES[i], address: a, port: 25 })) }],
      probe: { interval: '2s', timeout: '1500ms', rise: 1, fall: 3, jitter: 0, helo: 'probe.example.com', starttls: 'required', hold: false, caFile: pki.caFile, sourceAddress: address },
      auth: { dane: { mode: 'publish' } },
      nameserver: { listen: [`${address}:53`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
      records: [{ name: 'ns1.example.com', type: 'A', value: address }],
      http: { listen: `${address}:8100` },
      cluster: { etcd: { endpoints: etcd!.endpoints, prefix: '/mxpool/transport-test', timeout: '2s' }, node: name, quorum: 'majority', lease: '6s' },
    }, { dnsPort: 53 }),
  );
  await Promise.all(nodes.map((node) => node.start()));
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
  await etcd?.close();
  await Promise.all(smtp.map((host) => host.close()));
  pki?.cleanup();
}, 30_000);

describe('DANE in a cluster', () => {
  it('every node serves the TLSA of the key each host presents, and openssl verifies against it', async () => {
    for (const [i, name] of NAMES.entries()) {
      const expected = [`3 1 1 ${await spkiSha256((pairs[i] as KeyPair).certFile)}`];
      for (const node of nodes) {
        const served = await until(`${name} TLSA at node ${node.name}`, 45_000, async () => {
          const records = await tlsaAt(node, name);
          return records.length > 0 ? records : undefined;
        });
        expect(served, `node ${node.name}`).toEqual(expected);
      }
      const verdict = await daneVerify(HOSTS[i] as string, 25, name, expected);
      expect(verdict.ok, verdict.output).toBe(true);
    }
  }, 90_000);

  it('a replaced key — no health change — reaches the TLSA on every node, the old key kept', async () => {
    const name = NAMES[0] as string;
    const oldRecord = `3 1 1 ${await spkiSha256((pairs[0] as KeyPair).certFile)}`;
    const renewed = pki.leaf(name);
    const newRecord = `3 1 1 ${await spkiSha256(renewed.certFile)}`;
    (smtp[0] as TlsSmtpHost).rotate(renewed);
    // both nodes watched at once: when the new key arrives, the old one (seen one probe round
    // before) is still in the RRset — it stays 2 x TTL after its last sighting
    const served = await Promise.all(nodes.map((node) => until(`the new key at node ${node.name}`, 45_000, async () => {
      const records = await tlsaAt(node, name);
      return records.includes(newRecord) ? records : undefined;
    })));
    for (const [i, records] of served.entries()) {
      expect(records, `node ${nodes[i]?.name}`).toEqual([oldRecord, newRecord].sort());
      const verdict = await daneVerify(HOSTS[0] as string, 25, name, records);
      expect(verdict.ok, verdict.output).toBe(true);
    }
    // one agreed zone: both nodes serve the same TLSA RRset once it settles (the old key gone)
    await until('one TLSA RRset, the new key only, on both nodes', 45_000, async () => {
      const sets = await Promise.all(nodes.map((node) => tlsaAt(node, name)));
      return sets.every((set) => JSON.stringify(set) === JSON.stringify([newRecord])) ? true : undefined;
    });
    await until('one serial on both nodes', 20_000, async () => (new Set(await Promise.all(nodes.map((node) => node.serial()))).size === 1 ? true : undefined));
  }, 120_000);
});
