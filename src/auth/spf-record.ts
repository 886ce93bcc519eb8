// Builds the SPF record(s) for the zone: the apex record, and when the addresses do not fit in
// 450 octets (RFC 7208 3.4: keep answers within 512-octet UDP), an include chain of mxpool-owned
// records `_spf1.<zone>`, `_spf2.<zone>`, ... holding the ip4:/ip6: terms.
import type { Config } from '../config/schema.ts';
import { aggregate, spfTerm } from './cidr.ts';
import { octets } from './txt.ts';

export const RECORD_SOFT_LIMIT = 450;

export interface SpfRecord {
  name: string;
  text: string;
}

export function chainName(zone: string, index: number): string {
  return `_spf${index}.${zone}`;
}

/**
 * The record at auth.spf.sharedName, for tenants and customers to include: the outbound addresses
 * alone (the apex's extra/include terms stay at the apex: an included `a` or `mx` would be looked up
 * at the shared name, not at the customer's domain). When the apex moved its addresses into the
 * include chain, the shared record points at the same chain. Undefined without sharedName.
 */
export function sharedSpf(config: Config, records: readonly SpfRecord[], addresses: readonly string[]): SpfRecord | undefined {
  const name = config.auth.spf?.sharedName;
  if (name === undefined) return undefined;
  const chain = records.slice(1);
  const terms = chain.length > 0 ? [`include:${(chain[0] as SpfRecord).name}`] : aggregate(addresses).map(spfTerm);
  return { name, text: ['v=spf1', ...terms, '-all'].join(' ') };
}

export function buildSpf(config: Config, addresses: readonly string[]): SpfRecord[] {
  const spf = config.auth.spf;
  if (!spf) return [];
  const addressTerms = aggregate(addresses).map(spfTerm);
  const tail = [...spf.extra, ...spf.include.map((domain) => `include:${domain}`), spf.all];
  const flat = ['v=spf1', ...addressTerms, ...tail].join(' ');
  if (octets(flat) <= RECORD_SOFT_LIMIT) return [{ name: config.zone, text: flat }];
  const chain = buildChain(config.zone, addressTerms);
  const head = ['v=spf1', ...(chain.length > 0 ? [`include:${chain[0]?.name}`] : []), ...tail].join(' ');
  return [{ name: config.zone, text: head }, ...chain];
}

/** Packs the address terms into records that each end `include:<next> -all` (the last just `-all`). */
function buildChain(zone: string, terms: readonly string[]): SpfRecord[] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const term of terms) {
    // room for the link to the next record and the closing -all
    const reserve = ` include:${chainName(zone, groups.length + 2)} -all`;
    const candidate = ['v=spf1', ...current, term].join(' ') + reserve;
    if (current.length > 0 && octets(candidate) > RECORD_SOFT_LIMIT) {
      groups.push(current);
      current = [];
    }
    current.push(term);
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group, i) => {
    const next = i + 1 < groups.length ? [`include:${chainName(zone, i + 2)}`] : [];
    // "-all" inside an included record only means "no match here": the include does not match and
    // evaluation continues in the including record (RFC 7208 5.2).
    return { name: chainName(zone, i + 1), text: ['v=spf1', ...group, ...next, '-all'].join(' ') };
  });
}
