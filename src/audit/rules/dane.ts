// DANE rules (RFC 7672, RFC 7671): the TLSA records of each MX host — usable for SMTP, in a signed
// zone, and matching the key the host really presents.
import { matchesDigests } from '../../auth/dane.ts';
import { tlsaOwner } from '../../auth/transport.ts';
import type { Answer, TlsaRecord } from '../resolver.ts';
import { recordsOf } from '../resolver.ts';
import { recordLabel, type AuditContext, type Hit, type Rule } from '../types.ts';
import { mxHosts } from './mta-sts.ts';

type DaneRule = Omit<Rule, 'family'>;

/** MX hosts whose TLSA are looked at: a domain with more is unusual, and each costs a probe. */
export const MAX_DANE_HOSTS = 10;

export interface DaneHost {
  host: string;
  owner: string;
  answer: Answer<TlsaRecord>;
  records: TlsaRecord[];
}

export function daneFacts(context: AuditContext): Promise<DaneHost[]> {
  return context.memo('dane', async () => {
    const lookup = context.resolver.tlsa;
    if (!lookup) return [];
    const hosts = (await mxHosts(context)).slice(0, MAX_DANE_HOSTS);
    return Promise.all(hosts.map(async (host) => {
      const owner = tlsaOwner(host);
      const answer = await lookup(owner);
      return { host, owner, answer, records: recordsOf(answer) };
    }));
  });
}

const text = (r: TlsaRecord) => `${r.usage} ${r.selector} ${r.matchingType} ${r.data}`;

export const daneRules: DaneRule[] = [
  {
    id: 'dane-tlsa-mismatch',
    severity: 'error',
    rfc: { rfc: 7672, section: '3.1.1' },
    title: 'An MX host presents a key its TLSA records do not match: DANE senders refuse to deliver to it',
    fix: 'Let mxpool publish TLSA from the keys it sees (auth.dane.mode: publish), announce the next key ahead (auth.dane.next), or fix the TLSA records',
    async check(context) {
      const hits: Hit[] = [];
      const sources = context.transport;
      if (!sources) return hits;
      for (const { host, owner, records } of await daneFacts(context)) {
        // usage 2 (DANE-TA) is judged against the chain, which the key probe does not do; no usable record: no DANE
        const usable = records.filter((r) => r.usage === 3);
        if (usable.length === 0 || records.some((r) => r.usage === 2)) continue;
        if (sources.mismatches) {
          const known = sources.mismatches[host];
          if (known) hits.push({ record: recordLabel(owner, 'TLSA'), message: `${host} presents key ${known.key.split(' ')[2] ?? known.key} ${known.until === undefined ? 'that no TLSA record matches' : `that the TLSA records have held for less than one TTL (until ${new Date(known.until).toISOString()})`}` });
          continue;
        }
        const presented = await sources.presentedKeys(host);
        if (presented.status !== 'ok') continue;
        if (usable.some((r) => matchesDigests({ type: 'TLSA', ...r }, presented.digests))) continue;
        hits.push({ record: recordLabel(owner, 'TLSA'), message: `${host} presents a key with SPKI SHA-256 ${presented.digests.spkiSha256 ?? '(unknown)'}; no TLSA record (${usable.map(text).join(', ')}) matches it` });
      }
      return hits;
    },
  },
  {
    id: 'dane-usage-pkix',
    severity: 'warning',
    rfc: { rfc: 7672, section: '3.1.3' },
    title: 'TLSA records with usage 0 (PKIX-TA) or 1 (PKIX-EE): SMTP senders treat them as unusable',
    fix: 'Use usage 3 (DANE-EE) or 2 (DANE-TA) for SMTP; mxpool publishes 3 1 1',
    async check(context) {
      return (await daneFacts(context)).flatMap(({ owner, records }) =>
        records.filter((r) => r.usage === 0 || r.usage === 1).map((r) => ({ record: recordLabel(owner, 'TLSA', text(r)), message: `usage ${r.usage} (${r.usage === 0 ? 'PKIX-TA' : 'PKIX-EE'}) is not used by SMTP senders: with only such records the host has no DANE` })),
      );
    },
  },
  {
    id: 'dane-no-dnssec',
    severity: 'warning',
    rfc: { rfc: 7672, section: '2.2' },
    title: 'TLSA records in a zone that is not signed: senders ignore them (DANE needs DNSSEC)',
    fix: 'Sign the zone: mxpool as hidden primary behind Knot with dnssec-signing (docs/dnssec.md), or DNSSEC at Route 53/Cloudflare; then set auth.dane.signed: true',
    async check(context) {
      const hits: Hit[] = [];
      for (const { owner, answer, records } of await daneFacts(context)) {
        if (answer.status !== 'ok' || records.length === 0) continue;
        // a live answer says itself; the desired zone is signed when the config says a signer signs it
        let signed: boolean;
        if (answer.signed !== undefined) signed = answer.signed;
        else if (inOwnZone(context, owner)) signed = context.config?.auth.dane?.signed === true;
        else continue; // outside the audited zone, and nobody said: unknown
        if (!signed) hits.push({ record: recordLabel(owner, 'TLSA'), message: answer.signed === false ? `the answer for ${owner} carries no DNSSEC signature` : `${owner} is in ${context.domain}, which mxpool's own nameserver serves unsigned (auth.dane.signed is false)` });
      }
      return hits;
    },
  },
];

function inOwnZone(context: AuditContext, name: string): boolean {
  return name === context.domain || name.endsWith(`.${context.domain}`);
}
