// The `cluster:` keys and probe.sourceAddress: what validate accepts, what it refuses (at the right
// line and key), and the mistakes only found at use (an address not on this machine, a password
// variable not set).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError, MxpoolError } from '../../src/errors.ts';
import { checkSourceAddress } from '../../src/probe/source-address.ts';
import { configDigest, etcdSettings } from '../../src/cluster/settings.ts';

const BASE = `zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.10 }
`;

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'c.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
  }
}

describe('cluster: config', () => {
  it('accepts a full cluster section and fills the defaults', () => {
    const config = parseConfig(`${BASE}probe: { sourceAddress: 127.15.0.5 }\ncluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  node: probe-a\n`);
    expect(config.cluster).toEqual({ etcd: { endpoints: ['http://127.0.0.1:2379'], allowPlaintext: false, timeout: 2000 }, node: 'probe-a', quorum: 'majority', lease: 10_000 });
    expect(config.probe.sourceAddress).toBe('127.15.0.5');
  });

  it.each([
    ['plaintext etcd beyond loopback', 'cluster:\n  etcd: { endpoints: ["http://192.0.2.1:2379"] }\n', '9:23 cluster.etcd.endpoints.0: an https:// endpoint, or a loopback one'],
    ['mixed schemes', 'cluster:\n  etcd: { endpoints: ["https://a.example.net:2379", "http://127.0.0.1:2379"] }\n', '9:22 cluster.etcd.endpoints: endpoints of one scheme'],
    ['tls with http endpoints', 'cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"], tls: { caFile: /x } }\n', '9:54 cluster.etcd.tls: https:// endpoints'],
    ['a client certificate without its key', 'cluster:\n  etcd: { endpoints: ["https://a.example.net:2379"], tls: { certFile: /c } }\n', 'cluster.etcd.tls.keyFile: certFile and keyFile together'],
    ['a lease shorter than 2 s', 'cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  lease: 1500ms\n', '10:10 cluster.lease: whole seconds, at least 2s'],
    ['a lease in fractions of seconds', 'cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  lease: 2500ms\n', 'cluster.lease: whole seconds'],
    ['quorum 0', 'cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  quorum: 0\n', '10:11 cluster.quorum: a number of nodes, a whole number 1..100'],
    ['quorum as a word', 'cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  quorum: most\n', 'cluster.quorum: majority, or a number of nodes'],
    ['a node name with a slash', 'cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  node: a/b\n', 'cluster.node: a node name'],
    ['an endpoint that is not a URL', 'cluster:\n  etcd: { endpoints: ["127.0.0.1:2379"] }\n', 'cluster.etcd.endpoints.0: an etcd client URL'],
    ['a prefix with a trailing slash', 'cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"], prefix: /mxpool/ }\n', 'cluster.etcd.prefix: a key prefix'],
    ['no endpoints', 'cluster:\n  etcd: { endpoints: [] }\n', 'cluster.etcd.endpoints: at least one etcd client URL'],
    ['sourceAddress not an IP', 'probe: { sourceAddress: probe.example.com }\n', 'probe.sourceAddress: an IPv4 or IPv6 address'],
    ['sourceAddress of the other family', 'probe: { sourceAddress: "2001:db8::5" }\n', '7:43 pools.0.hosts.0.address: an IPv6 address like probe.sourceAddress'],
  ])('%s', (_fault, extra, expected) => {
    const found = problems(BASE + extra);
    expect(found.some((line) => line.includes(expected)), found.join('\n')).toBe(true);
  });

  it('allowPlaintext accepts http:// beyond loopback', () => {
    expect(problems(`${BASE}cluster:\n  etcd: { endpoints: ["http://192.0.2.1:2379"], allowPlaintext: true }\n`)).toEqual([]);
  });

  it('the etcd password comes from the environment, and is required there', () => {
    const config = parseConfig(`${BASE}cluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"], auth: { username: mxpool, passwordEnv: ETCD_PW } }\n`);
    expect(etcdSettings(config, config.cluster!, { ETCD_PW: 's3cret' }).auth).toEqual({ username: 'mxpool', password: 's3cret' });
    expect(() => etcdSettings(config, config.cluster!, {})).toThrow(/ETCD_PW must hold the etcd password/);
  });

  it('the config digest ignores node-local keys, not shared ones', () => {
    const a = parseConfig(`${BASE}probe: { sourceAddress: 127.15.0.5 }\nhttp: { listen: "127.15.0.5:8100" }\ncluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  node: a\n`);
    const b = parseConfig(`${BASE}probe: { sourceAddress: 127.15.0.6 }\nhttp: { listen: "127.15.0.6:8100" }\ncluster:\n  etcd: { endpoints: ["http://127.0.0.2:2379"] }\n  node: b\n`);
    const c = parseConfig(`${BASE}ttl: 60\ncluster:\n  etcd: { endpoints: ["http://127.0.0.1:2379"] }\n  node: c\n`);
    expect(configDigest(a)).toBe(configDigest(b));
    expect(configDigest(c)).not.toBe(configDigest(a));
  });
});

describe('probe.sourceAddress at use', () => {
  it('an address of this machine passes', async () => {
    await expect(checkSourceAddress('127.15.0.9')).resolves.toBeUndefined();
    await expect(checkSourceAddress(undefined)).resolves.toBeUndefined();
  });

  it('an address that is not on this machine is a clear error naming the key', async () => {
    const failure = checkSourceAddress('192.0.2.5');
    await expect(failure).rejects.toThrow(MxpoolError);
    await expect(failure).rejects.toThrow(/probe\.sourceAddress: an address of this machine to probe from \(192\.0\.2\.5: it is not an address of this machine\)/);
  });
});
