// The transport-security part of `auth`: MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE TLSA
// (RFC 7672/6698). Field rules here; the rules that relate them to pools and records live in
// src/config/transport-rules.ts. Defaults follow what a receiving domain deploys first.
import { z } from 'zod';
import { anyCase, boolean, dnsName, duration, ipAddress, listenAddress } from './fields.ts';

/** RFC 8461 3.2: max_age is at most 31557600 seconds (about a year). */
export const MTA_STS_MAX_AGE_S = 31_557_600;

const path = (what: string) => z.string({ error: `a path to ${what}` }).min(1, { error: `a path to ${what}` });

export const mtaStsSchema = z.strictObject({
  mode: z.enum(['enforce', 'testing', 'none'], { error: 'enforce, testing or none' }).default('enforce').describe('the policy mode: enforce (senders refuse MX hosts without valid TLS), testing (they only report), none (the policy is withdrawn)'),
  maxAge: duration
    .prefault('7d')
    .refine((ms) => ms >= 1000 && ms <= MTA_STS_MAX_AGE_S * 1000, { error: `a duration from 1s to 365d (RFC 8461 3.2: max_age is at most ${MTA_STS_MAX_AGE_S} seconds)` })
    .describe('how long senders cache the policy (max_age), e.g. 7d; at most about a year'),
  address: z
    .union([ipAddress, z.array(ipAddress, { error: 'a list of IP addresses' }).min(1, { error: 'at least one address' })], { error: 'an IP address, or a list of them, where senders fetch the policy' })
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .describe('the address(es) published as mta-sts.<zone> A/AAAA: where senders fetch the policy over HTTPS (the public address of https.listen)'),
  https: z
    .strictObject({
      listen: listenAddress.default('0.0.0.0:443').describe('address:port the policy server listens on'),
      certFile: path('a PEM certificate (chain) for mta-sts.<zone>').describe('the certificate of mta-sts.<zone>, PEM (reloaded when the file changes)'),
      keyFile: path('a PEM private key').describe('its private key, PEM'),
    }, { error: 'a mapping { listen, certFile, keyFile }' })
    .describe('the HTTPS server mxpool runs for the policy (https://mta-sts.<zone>/.well-known/mta-sts.txt)'),
}, { error: 'a mapping { mode, maxAge, address, https }' });

const reportUri = z
  .string({ error: 'a mailto: or https: URI such as mailto:tlsrpt@example.com' })
  .regex(new RegExp(`^(${anyCase('mailto')}:[^\\s,;!]+@[^\\s,;!]+|${anyCase('https')}://[^\\s,;]+)$`), { error: 'a mailto: or https: URI such as mailto:tlsrpt@example.com' });

export const tlsRptSchema = z.strictObject({
  rua: z.array(reportUri, { error: 'a list of mailto: or https: URIs' }).min(1, { error: 'at least one report address' }).describe('where senders send their daily TLS reports (RFC 8460 3)'),
}, { error: 'a mapping { rua }' });

const digestHex = z
  .string({ error: 'a SHA-256 (64 hex digits) or SHA-512 (128 hex digits) digest' })
  .regex(/^([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/, { error: 'a SHA-256 (64 hex digits) or SHA-512 (128 hex digits) digest' })
  .transform((hex) => hex.toLowerCase());

export const daneSchema = z.strictObject({
  mode: z.enum(['publish', 'audit'], { error: 'publish or audit' }).default('publish').describe('publish: mxpool writes the TLSA records from the keys the probe sees; audit: TLSA come from records: and are compared with the live keys'),
  usage: z.literal(3, { error: '3 (DANE-EE: mxpool pins the leaf keys it sees; RFC 7672 3.1.1)' }).default(3).describe('TLSA certificate usage; 3 (DANE-EE)'),
  selector: z.union([z.literal(0), z.literal(1)], { error: '1 (the public key, survives renewals with the same key) or 0 (the whole certificate)' }).default(1).describe('1: the SubjectPublicKeyInfo (recommended, RFC 7671 5.1); 0: the whole certificate'),
  matching: z.union([z.literal(1), z.literal(2)], { error: '1 (SHA-256) or 2 (SHA-512)' }).default(1).describe('1: SHA-256 (recommended); 2: SHA-512'),
  next: z
    .record(dnsName, z.array(digestHex, { error: 'a list of digests' }), { error: 'a mapping of host name to a list of digests of its next key' })
    .default({})
    .describe('announced next keys per MX host (digest of the next key\'s SPKI, or certificate for selector 0), published ahead of a rotation'),
  onMismatch: z.enum(['report', 'withdraw'], { error: 'report or withdraw' }).default('report').describe('a host presenting a key no published TLSA has matched for one TTL: report it (dane-tlsa-mismatch), or also take it out of MX (never the last host)'),
  signed: boolean.default(false).describe('true when the public servers of the zone sign it (Knot behind mxpool, or Route 53/Cloudflare with DNSSEC on); mxpool\'s own nameserver does not sign. false: the audit reports dane-no-dnssec'),
}, { error: 'a mapping { mode, usage, selector, matching, next, onMismatch, signed }' });

export type MtaStsConfig = z.output<typeof mtaStsSchema>;
export type TlsRptConfig = z.output<typeof tlsRptSchema>;
export type DaneConfig = z.output<typeof daneSchema>;
