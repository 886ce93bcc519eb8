// `cluster:` -> what the etcd client needs: TLS files read once, the password from the environment,
// the prefix and node name defaults. Mistakes are fatal start-up errors naming the key.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createHash } from 'node:crypto';
import type { ClusterConfig, Config } from '../config/schema.ts';
import { MxpoolError } from '../errors.ts';
import type { EtcdSettings } from './etcd.ts';

export function clusterNodeName(cluster: ClusterConfig): string {
  if (cluster.node !== undefined) return cluster.node;
  const name = hostname().split('.')[0] ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    throw new MxpoolError('CONFIG_INVALID', 'cluster.node', `a node name (this machine's name "${name}" cannot be one: set cluster.node)`, { fatal: true });
  }
  return name;
}

export function clusterPrefix(config: Config, cluster: ClusterConfig): string {
  return cluster.etcd.prefix ?? `/mxpool/${config.zone}`;
}

export function etcdSettings(config: Config, cluster: ClusterConfig, env: Record<string, string | undefined>): EtcdSettings {
  const settings: EtcdSettings = { endpoints: cluster.etcd.endpoints, prefix: clusterPrefix(config, cluster), timeoutMs: cluster.etcd.timeout };
  const tls = cluster.etcd.tls;
  if (tls) {
    settings.tls = {};
    if (tls.caFile !== undefined) settings.tls.ca = readPem(tls.caFile, 'cluster.etcd.tls.caFile');
    if (tls.certFile !== undefined) settings.tls.cert = readPem(tls.certFile, 'cluster.etcd.tls.certFile');
    if (tls.keyFile !== undefined) settings.tls.key = readPem(tls.keyFile, 'cluster.etcd.tls.keyFile');
  }
  const auth = cluster.etcd.auth;
  if (auth) {
    const password = env[auth.passwordEnv];
    if (!password) throw new MxpoolError('CONFIG_INVALID', 'cluster.etcd.auth.passwordEnv', `the environment variable ${auth.passwordEnv} must hold the etcd password of ${auth.username}; it is not set`, { fatal: true });
    settings.auth = { username: auth.username, password };
  }
  return settings;
}

function readPem(file: string, key: string): Buffer {
  try {
    const pem = readFileSync(file);
    if (!pem.toString('latin1').includes('-----BEGIN ')) throw new Error('no PEM block in it');
    return pem;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new MxpoolError('CONFIG_INVALID', key, `a readable PEM file (${file}: ${why})`, { fatal: true });
  }
}

/**
 * What decides the zone, hashed: nodes whose configs differ here would not agree on records, so the
 * status shows it. Node-local keys (listen addresses, stateDir, node name, source address) are left out.
 */
export function configDigest(config: Config): string {
  const { http: _http, stateDir: _stateDir, cluster, nameserver, probe, ...rest } = config;
  const shared = {
    ...rest,
    probe: { ...probe, sourceAddress: undefined },
    nameserver: nameserver ? { ...nameserver, listen: undefined, workers: undefined } : undefined,
    cluster: cluster ? { quorum: cluster.quorum, lease: cluster.lease, prefix: cluster.etcd.prefix } : undefined,
  };
  return createHash('sha256').update(JSON.stringify(shared)).digest('hex').slice(0, 16);
}
