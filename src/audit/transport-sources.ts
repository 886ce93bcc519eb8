// Where the transport-security rules get what DNS alone does not tell: the MTA-STS policy as a
// sender fetches it, and the key each MX host presents over STARTTLS. Live audits fetch and probe
// for real (bounded in time); `audit --config` and `serve` answer from what mxpool serves and saw.
import type { CertDigests } from '../probe/types.ts';
import type { Config } from '../config/schema.ts';
import { parseHostPort } from '../config/host-port.ts';
import { mtaStsPolicy } from '../auth/mta-sts.ts';
import { probeSmtp } from '../probe/smtp.ts';
import { fetchPolicy, type PolicyFetch } from './mta-sts-fetch.ts';
import { recordsOf, type Resolver } from './resolver.ts';

export type { PolicyFetch };

export type KeyProbe = { status: 'ok'; digests: CertDigests } | { status: 'unknown'; reason: string };

export interface TransportSources {
  /** the policy of `domain` as a sender would fetch it */
  fetchPolicy(domain: string): Promise<PolicyFetch>;
  /** the key the MX host presents over STARTTLS on port 25 */
  presentedKeys(host: string): Promise<KeyProbe>;
  /** the daemon's verdict per MX host (mismatch for one TTL), when it has one; else the rule compares */
  mismatches?: Readonly<Record<string, { key: string; until?: number }>>;
}

export interface LiveSourceOptions {
  /** extra trusted CA (PEM): probe.caFile; NODE_EXTRA_CA_CERTS and the system's always count */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** the EHLO name of the key probes */
  helo: string;
}

/** Sources that ask the Internet: HTTPS for the policy, an SMTP STARTTLS dialogue for the keys. */
export function liveTransportSources(resolver: Resolver, options: LiveSourceOptions): TransportSources {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const addressOf = async (name: string): Promise<string | undefined> => recordsOf(await resolver.a(name))[0] ?? recordsOf(await resolver.aaaa(name))[0];
  return {
    async fetchPolicy(domain) {
      const host = `mta-sts.${domain}`;
      const address = await addressOf(host);
      if (address === undefined) return { status: 'failed', reason: `${host} has no A or AAAA record` };
      return fetchPolicy({ host, address, timeoutMs, ...(options.ca !== undefined ? { ca: options.ca } : {}) });
    },
    async presentedKeys(host) {
      const address = await addressOf(host);
      if (address === undefined) return { status: 'unknown', reason: `${host} has no A or AAAA record` };
      const result = await probeSmtp({ name: host, address, port: 25 }, { timeoutMs, helo: options.helo, starttls: 'required', certMinDays: 0, verifyCert: false, ...(options.ca !== undefined ? { ca: options.ca } : {}) });
      const digests = result.tls?.keys;
      return digests ? { status: 'ok', digests } : { status: 'unknown', reason: `${host}: ${result.reason || 'no certificate seen'}` };
    },
  };
}

/** What one probe round saw (`audit --config`): the policy as mxpool would serve it, the keys seen. */
export function configTransportSources(config: Config, presented: ReadonlyMap<string, CertDigests>): TransportSources {
  const policy = mtaStsPolicy(config);
  return {
    fetchPolicy: async () => (policy ? { status: 'ok', text: policy.text } : { status: 'unknown', reason: 'auth.mtaSts is not set: the policy is served elsewhere' }),
    presentedKeys: async (host) => {
      const digests = presented.get(host);
      return digests ? { status: 'ok', digests } : { status: 'unknown', reason: `${host}: no certificate seen` };
    },
  };
}

/**
 * `serve`: the policy fetched from mxpool's own HTTPS server as a sender would (certificate, name,
 * media type), the keys the probes saw, and the daemon's own verdict on mismatches.
 */
export function servedTransportSources(config: Config, presented: ReadonlyMap<string, CertDigests>, mismatches: Readonly<Record<string, { key: string; until?: number }>>, ca?: string | Buffer): TransportSources {
  const listen = config.auth.mtaSts ? parseHostPort(config.auth.mtaSts.https.listen) : undefined;
  const local = listen ? { ...listen, host: listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host } : undefined;
  return {
    ...configTransportSources(config, presented),
    ...(local ? { fetchPolicy: (domain: string) => fetchPolicy({ host: `mta-sts.${domain}`, address: local.host, port: local.port, timeoutMs: 5000, ...(ca !== undefined ? { ca } : {}) }) } : {}),
    mismatches,
  };
}
