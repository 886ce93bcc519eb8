// DNS blocklist rules (RFC 5782): an outbound address on a list, and lookups that gave no verdict
// (an error code such as 127.255.255.254, an answer outside 127.0.0.0/8, no answer). Reported from
// the DNSBL lookups' results (src/dnsbl/) when they ran.
import type { Hit, Rule } from '../types.ts';

type DnsblRule = Omit<Rule, 'family'>;

export const dnsblRules: DnsblRule[] = [
  {
    id: 'dnsbl-listed',
    severity: 'error',
    rfc: { rfc: 5782, section: '2.1' },
    title: 'An outbound relay is listed on a DNS blocklist: receivers that use the list reject or junk its mail',
    fix: 'Find out why (the list\'s TXT reason), stop the cause, ask the list for removal; mxpool keeps the relay out of the relay name meanwhile (dnsbl.action: withdraw)',
    async check(context) {
      const hits: Hit[] = [];
      for (const entry of context.hygiene?.dnsbl ?? []) {
        if (!entry.listed) continue;
        const last = entry.status === 'listed' ? `${entry.codes.join(', ')}${entry.reason ? `: ${entry.reason}` : ''}` : `last lookup: ${entry.status}, ${entry.reason}; the listing is kept`;
        hits.push({ record: `${entry.address} ${entry.zone}`, message: `${entry.host} (${entry.address}) is listed on ${entry.zone} (${last})` });
      }
      return hits;
    },
  },
  {
    id: 'dnsbl-lookup-failed',
    severity: 'warning',
    rfc: { rfc: 5782, section: '2.1' },
    title: 'A DNSBL lookup gave no verdict: an error code (e.g. 127.255.255.254, "query via a public resolver"), an answer outside 127.0.0.0/8, or no answer',
    fix: 'Point dnsbl.resolver at a resolver of your own (many lists refuse big public resolvers), or check the list name',
    async check(context) {
      const hits: Hit[] = [];
      for (const entry of context.hygiene?.dnsbl ?? []) {
        if (entry.status !== 'error' && entry.status !== 'unknown') continue;
        hits.push({ record: `${entry.address} ${entry.zone}`, message: `${entry.host} (${entry.address}) on ${entry.zone}: ${entry.status === 'error' ? 'lookup error' : 'no answer'}: ${entry.reason} (not a listing)` });
      }
      return hits;
    },
  },
];
