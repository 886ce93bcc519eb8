// Fetches an MTA-STS policy the way RFC 8461 3.3 tells senders to (the only file with this socket):
// HTTPS to mta-sts.<domain>, the certificate valid for that name and trusted, status 200 — a
// redirect is a failure, never followed — media type text/plain, at most 64 KiB, within a deadline.
import { request, type RequestOptions } from 'node:https';
import type { SecureContext } from 'node:tls';
import { isIPv6 } from 'node:net';
import { MAX_POLICY_OCTETS, POLICY_PATH } from '../auth/mta-sts.ts';
import { secureContextFor } from '../probe/tls-context.ts';

/** `unknown`: nobody here can fetch it (a hand-made record, audited offline): the rules skip */
export type PolicyFetch = { status: 'ok'; text: string } | { status: 'failed'; reason: string } | { status: 'unknown'; reason: string };

export interface FetchTarget {
  /** the policy host: mta-sts.<domain> (SNI, Host header and the certificate name) */
  host: string;
  /** the address to connect to (resolved by the caller, so --nameserver applies) */
  address: string;
  port?: number;
  /** extra trusted CA (PEM), beside the system's and NODE_EXTRA_CA_CERTS */
  ca?: string | Buffer;
  timeoutMs?: number;
}

export function fetchPolicy(target: FetchTarget): Promise<PolicyFetch> {
  const timeoutMs = target.timeoutMs ?? 10_000;
  return new Promise<PolicyFetch>((resolve) => {
    let settled = false;
    const done = (result: PolicyFetch) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    // https hands the options to tls.connect, which takes a ready SecureContext (the shared trust store)
    const options: RequestOptions & { secureContext: SecureContext } = {
      host: target.address,
      family: isIPv6(target.address) ? 6 : 4,
      port: target.port ?? 443,
      path: POLICY_PATH,
      method: 'GET',
      servername: target.host,
      headers: { Host: target.host, 'User-Agent': 'mxpool-audit', Accept: 'text/plain' },
      secureContext: secureContextFor(target.ca),
      rejectUnauthorized: true,
      agent: false,
      maxHeaderSize: 16 * 1024,
    };
    const req = request(options);
    const timer = setTimeout(() => done({ status: 'failed', reason: `no complete answer within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => done({ status: 'failed', reason: describeError(error, target.host) }));
    req.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return done({ status: 'failed', reason: `HTTP ${status} redirect to ${response.headers.location ?? '(no location)'}: senders must not follow redirects (RFC 8461 3.3)` });
      if (status !== 200) return done({ status: 'failed', reason: `HTTP ${status}, expected 200` });
      const type = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'text/plain') return done({ status: 'failed', reason: `media type ${type ? `"${type}"` : '(none)'}, expected text/plain (RFC 8461 3.3)` });
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_POLICY_OCTETS) return done({ status: 'failed', reason: `the policy is over ${MAX_POLICY_OCTETS} octets` });
        chunks.push(chunk);
      });
      response.on('end', () => done({ status: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => done({ status: 'failed', reason: error.message }));
    });
    req.end();
  });
}

function describeError(error: NodeJS.ErrnoException, host: string): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused on port 443';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the certificate is not valid for ${host}`;
    case 'CERT_HAS_EXPIRED':
      return 'the certificate has expired';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `the certificate is not trusted (${error.code})`;
    default:
      return `${error.code ?? 'error'}: ${error.message}`;
  }
}
