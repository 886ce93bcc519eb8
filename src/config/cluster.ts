// The `cluster:` section (several mxpool instances that agree through etcd; docs/cluster.md) and its
// cross-field rules. Kept beside schema.ts so the cluster's keys live in one place.
import { z } from 'zod';
import { isIP } from 'node:net';
import { anyCase, boolean, duration, envVarName, integer } from './fields.ts';

const ENDPOINT_HINT = 'an etcd client URL such as http://127.0.0.1:2379 or https://etcd1.example.net:2379';

export const etcdEndpoint = z
  .string({ error: ENDPOINT_HINT })
  .regex(new RegExp(`^${anyCase('http')}[sS]?://[^/\\s]+:\\d{1,5}/?$`), { error: ENDPOINT_HINT, abort: true })
  .refine((text) => URL.canParse(text), { error: ENDPOINT_HINT });

const PREFIX_HINT = 'a key prefix such as /mxpool/example.com (starts with /, no trailing /, letters, digits and . _ - /)';

/** A node's name goes into etcd keys and metric labels: short and plain. */
const NODE_HINT = 'a node name of letters, digits, . _ - (at most 63), unique in the cluster, e.g. probe-a';
export const nodeName = z.string({ error: NODE_HINT }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { error: NODE_HINT });

const filePath = z.string({ error: 'a path to a PEM file' }).min(1, { error: 'a path to a PEM file' });

export const clusterSchema = z.strictObject({
  etcd: z.strictObject({
    endpoints: z.array(etcdEndpoint, { error: 'a list of etcd client URLs' }).min(1, { error: 'at least one etcd client URL' }).describe('client URLs of the etcd members (all of them: the client fails over between them)'),
    prefix: z.string({ error: PREFIX_HINT }).regex(/^(\/[A-Za-z0-9._-]+)+$/, { error: PREFIX_HINT }).max(200, { error: PREFIX_HINT }).optional().describe('every key of this cluster lives under it; default /mxpool/<zone>. Two clusters never share a prefix'),
    tls: z.strictObject({
      caFile: filePath.optional().describe('CA that signed the etcd server certificates (default: the system CAs)'),
      certFile: filePath.optional().describe('client certificate for etcd client-certificate auth (with keyFile)'),
      keyFile: filePath.optional().describe('its private key (a file, never in this config)'),
    }, { error: 'a mapping { caFile, certFile, keyFile }' }).optional().describe('TLS to etcd (https:// endpoints)'),
    auth: z.strictObject({
      username: z.string({ error: 'an etcd user name' }).min(1, { error: 'an etcd user name' }).describe('etcd user (etcd role-based access: grant it readwrite on the prefix only)'),
      passwordEnv: envVarName.describe('name of the environment variable holding that user\'s password'),
    }, { error: 'a mapping { username, passwordEnv }' }).optional().describe('etcd user/password auth; the password comes from the environment'),
    allowPlaintext: boolean.default(false).describe('true: allow http:// endpoints beyond loopback (votes, operator actions and credentials cross the network unencrypted)'),
    timeout: duration.prefault('2s').describe('deadline of one etcd request; a member that does not answer is skipped for the next'),
  }, { error: 'a mapping with at least endpoints:' }).describe('the etcd cluster the nodes agree through'),
  node: nodeName.optional().describe('this instance\'s name, unique in the cluster; default: the host name'),
  quorum: z
    .union([z.literal('majority'), integer('a number of nodes', 1, 100)], { error: 'majority, or a number of nodes such as 2' })
    .default('majority')
    .describe('how many live nodes must see a host down to withdraw it: majority (of the live nodes), or a fixed number'),
  lease: duration.prefault('10s').describe('a node that stops renewing its etcd lease for this long leaves the cluster (whole seconds, at least 2s)'),
}, { error: 'a mapping with at least etcd: { endpoints }' });

export type ClusterConfig = z.output<typeof clusterSchema>;

type Fail = (path: (string | number)[], message: string) => void;

/** Rules inside `cluster:` (read from the parsed value; skipped when the section is broken). */
export function clusterRules(cluster: unknown, fail: Fail): void {
  if (cluster === null || typeof cluster !== 'object') return;
  const section = cluster as Partial<ClusterConfig>;
  const lease = section.lease;
  if (typeof lease === 'number' && (lease < 2000 || lease % 1000 !== 0)) {
    fail(['cluster', 'lease'], `whole seconds, at least 2s (etcd leases count in seconds; got ${lease} ms)`);
  }
  const etcd = section.etcd;
  if (!etcd || !Array.isArray(etcd.endpoints)) return;
  const urls = etcd.endpoints.flatMap((text) => (typeof text === 'string' && URL.canParse(text) ? [new URL(text)] : []));
  const schemes = new Set(urls.map((url) => url.protocol));
  if (schemes.size > 1) fail(['cluster', 'etcd', 'endpoints'], 'endpoints of one scheme: all http:// or all https://');
  const secure = schemes.has('https:') && schemes.size === 1;
  if (etcd.tls && !secure && urls.length > 0) fail(['cluster', 'etcd', 'tls'], 'https:// endpoints (tls: is set, but the endpoints are http://)');
  if (etcd.tls && (etcd.tls.certFile === undefined) !== (etcd.tls.keyFile === undefined)) {
    fail(['cluster', 'etcd', 'tls', etcd.tls.certFile === undefined ? 'certFile' : 'keyFile'], 'certFile and keyFile together (a client certificate needs its key)');
  }
  if (!secure && etcd.allowPlaintext !== true) {
    etcd.endpoints.forEach((text, index) => {
      if (typeof text !== 'string' || !URL.canParse(text)) return;
      const url = new URL(text);
      if (url.protocol !== 'http:') return;
      if (!isLoopback(url.hostname.replace(/^\[|\]$/g, ''))) {
        fail(['cluster', 'etcd', 'endpoints', index], `an https:// endpoint, or a loopback one (${text} sends votes and operator actions unencrypted across the network; set cluster.etcd.allowPlaintext: true to accept that)`);
      }
    });
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
