// Finds the DMARC record that applies to a domain, two ways, so the audit can say where they
// differ: RFC 7489 6.6.3 (the domain, then the organisational domain from the Public Suffix List)
// and RFC 9989 4.10 (the DNS tree walk, by mailauth's discoverPolicy).
import { createRequire } from 'node:module';
import { getDomain } from 'tldts';
import { mailauthResolver } from '../mailauth-resolver.ts';
import { type Resolver } from '../resolver.ts';

const require = createRequire(import.meta.url);
const { discoverPolicy, createRecordLookup } = require('mailauth/lib/dmarc/get-dmarc-record.js') as {
  discoverPolicy(domain: string, lookup: unknown): Promise<{ recordDomain: string | null; orgDomain: string | null }>;
  createRecordLookup(resolver: unknown, opts: { strict: boolean }): unknown;
};

export type DmarcAt =
  | { status: 'found'; name: string; text: string; strings: string[] }
  | { status: 'none'; name: string }
  | { status: 'multiple'; name: string; texts: string[] }
  | { status: 'temperror' | 'unresolvable'; name: string; reason: string };

export interface DmarcDiscovery {
  /** the record at _dmarc.<domain> itself */
  own: DmarcAt;
  /** RFC 7489: own, else the organisational domain's */
  rfc7489: { policyDomain: string | null; orgDomain: string; at: DmarcAt[] };
  /** RFC 9989 tree walk: which domain's record applies (null: none), or why it could not tell */
  rfc9989: { policyDomain: string | null; orgDomain: string | null; error?: string };
}

const DMARC_VERSION = /^v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)/i;

export async function dmarcAt(resolver: Resolver, domain: string): Promise<DmarcAt> {
  const name = `_dmarc.${domain}`;
  const answer = await resolver.txt(name);
  if (answer.status === 'temperror' || answer.status === 'unresolvable') return { status: answer.status, name, reason: answer.reason };
  if (answer.status !== 'ok') return { status: 'none', name };
  const records = answer.records.filter((strings) => DMARC_VERSION.test(strings.join('')));
  if (records.length === 0) return { status: 'none', name };
  if (records.length > 1) return { status: 'multiple', name, texts: records.map((r) => r.join('')) };
  const strings = records[0] as string[];
  return { status: 'found', name, text: strings.join(''), strings };
}

export async function discoverDmarc(resolver: Resolver, domain: string): Promise<DmarcDiscovery> {
  const own = await dmarcAt(resolver, domain);
  const orgDomain = getDomain(domain, { allowPrivateDomains: true }) ?? domain;
  const at: DmarcAt[] = [own];
  let policyDomain: string | null = own.status === 'found' ? domain : null;
  if (own.status === 'none' && orgDomain !== domain) {
    const org = await dmarcAt(resolver, orgDomain);
    at.push(org);
    if (org.status === 'found') policyDomain = orgDomain;
  }
  return { own, rfc7489: { policyDomain, orgDomain, at }, rfc9989: await treeWalk(resolver, domain) };
}

async function treeWalk(resolver: Resolver, domain: string): Promise<DmarcDiscovery['rfc9989']> {
  // The walk climbs to the top-level domain; above the audited zone (no nameserver given) there is
  // nobody to ask, and those names are taken as having no record rather than failing the walk.
  const climbing: Resolver = {
    ...resolver,
    txt: async (name) => {
      const answer = await resolver.txt(name);
      return answer.status === 'unresolvable' ? { status: 'nxdomain' } : answer;
    },
  };
  try {
    const found = await discoverPolicy(domain, createRecordLookup(mailauthResolver(climbing), { strict: true }));
    return { policyDomain: found.recordDomain, orgDomain: found.orgDomain };
  } catch (error) {
    return { policyDomain: null, orgDomain: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export function describeAt(at: DmarcAt): string {
  switch (at.status) {
    case 'found':
      return at.text;
    case 'none':
      return `no DMARC record at ${at.name}`;
    case 'multiple':
      return `${at.texts.length} DMARC records at ${at.name}`;
    default:
      return `${at.name}: ${at.reason}`;
  }
}

