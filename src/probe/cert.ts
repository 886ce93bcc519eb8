// The certificate verdict after a STARTTLS handshake: TLS details for the result, and the problem
// (if any) that fails the probe — expiry and certMinDays always; chain and name unless verifyCert
// is off. The probe passes rejectUnauthorized: false so it can say *what* is wrong.
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { createHash, X509Certificate } from 'node:crypto';
import type { CertDigests, TlsInfo } from './types.ts';

const DAY_MS = 86_400_000;

export interface CertificateVerdict {
  tls: TlsInfo;
  /** the reason the probe fails at stage `cert`, or null */
  problem: string | null;
}

export function judgeCertificate(secure: TLSSocket, name: string, options: { verifyCert: boolean; certMinDays: number }, now: number): CertificateVerdict {
  const cert = secure.getPeerCertificate(false) as PeerCertificate | Record<string, never>;
  const validTo = 'valid_to' in cert && cert.valid_to ? new Date(cert.valid_to) : null;
  const daysLeft = validTo ? Math.floor((validTo.getTime() - now) / DAY_MS) : null;
  const san = 'subjectaltname' in cert && cert.subjectaltname ? cert.subjectaltname.split(', ').filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)) : [];
  const cn = 'subject' in cert && cert.subject ? cert.subject.CN : undefined;
  const subject = Array.isArray(cn) ? cn.join(', ') : (cn ?? null);
  // Node folds a host name mismatch into authorizationError; names are judged separately below.
  const rawError = secure.authorizationError ? String(secure.authorizationError) : null;
  const chainError = rawError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? null : rawError;
  const nameError = 'raw' in cert ? checkServerIdentity(name, cert as PeerCertificate) : new Error('no certificate');
  const nameProblem = nameError ? `name mismatch: ${name} is not in the certificate (${san.length > 0 ? san.join(', ') : (subject ?? 'no names')})` : null;
  const cipher = secure.getCipher();
  const keys = 'raw' in cert && cert.raw ? certDigests(cert.raw, cert.fingerprint256) : null;
  const tls: TlsInfo = {
    protocol: secure.getProtocol(),
    cipher: cipher ? cipher.name : null,
    authorized: chainError === null,
    error: [chainError, nameProblem].filter((e) => e !== null).join('; ') || null,
    subject,
    san,
    validTo: validTo ? validTo.toISOString() : null,
    daysLeft,
    keys,
  };
  const verdict = (problem: string | null): CertificateVerdict => ({ tls, problem });
  if (!validTo || daysLeft === null) return verdict('the server presented no certificate');
  const day = validTo.toISOString().slice(0, 10);
  if (validTo.getTime() <= now) return verdict(`certificate expired on ${day} (${-daysLeft} days ago)`);
  // The leaf's expiry is judged above against our (injectable) clock. OpenSSL judges it against
  // the wall clock; its CERT_HAS_EXPIRED is ignored only when the leaf explains it — an expired
  // intermediate still fails here.
  const explainedByLeaf = chainError === 'CERT_HAS_EXPIRED' && validTo.getTime() <= Date.now();
  if (options.verifyCert && chainError && !explainedByLeaf) return verdict(`certificate not trusted: ${chainError}`);
  if (options.verifyCert && nameProblem) return verdict(`certificate ${nameProblem}`);
  if (daysLeft < options.certMinDays) return verdict(`certificate expires in ${daysLeft} days (${day}), under certMinDays ${options.certMinDays}`);
  return verdict(null);
}

/**
 * A certificate seen again (every probe of a host sees the same one) reuses its digests: the
 * same object, so 60 results of history per host hold one copy, and no parse or hash per probe.
 */
const digestCache = new Map<string, CertDigests>();
const DIGEST_CACHE_MAX = 20_000;

/** The DANE digests of a leaf certificate (RFC 6698 2.1.2-2.1.3): selectors 0/1 x SHA-256/512. */
export function certDigests(raw: Buffer, fingerprint256?: string): CertDigests {
  const id = fingerprint256 ?? createHash('sha256').update(raw).digest('hex');
  const cached = digestCache.get(id);
  if (cached) return cached;
  let spki: Buffer | undefined;
  try {
    spki = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    spki = undefined; // a key type Node cannot export: the certificate digests still stand
  }
  const hash = (algorithm: string, data: Buffer | undefined) => (data ? createHash(algorithm).update(data).digest('hex') : null);
  const digests: CertDigests = Object.freeze({
    spkiSha256: hash('sha256', spki),
    spkiSha512: hash('sha512', spki),
    certSha256: hash('sha256', raw) as string,
    certSha512: hash('sha512', raw) as string,
  });
  if (digestCache.size >= DIGEST_CACHE_MAX) digestCache.delete(digestCache.keys().next().value as string);
  digestCache.set(id, digests);
  return digests;
}
