// PURE: DNSBL (RFC 5782) query names and what an answer means. No I/O: table-tested.
//
// - The name: IPv4 reversed octets (2.0.0.127.zone), IPv6 the 32 reversed nibbles (RFC 5782 2.1, 2.4).
// - NXDOMAIN: not listed. An A record in 127.0.0.0/8: listed (TXT, when there is one, says why).
// - Never a listing, always an error of the lookup: an answer outside 127.0.0.0/8 (a resolver that
//   rewrites NXDOMAIN, a wildcard), 127.0.0.1 (RFC 5782 5: no list may list it; some use it to
//   refuse queries) and the 127.255.255.0/24 codes lists send to refused queries (Spamhaus:
//   .252 typo in the list name, .254 query through a public or open resolver, .255 too many queries).
// - No answer (timeout, SERVFAIL): unknown. Errors and unknowns keep the last verdict (keep()).
import { parseAddress } from '../auth/ip.ts';
import type { Answer } from '../audit/resolver.ts';
import { reverseName } from '../audit/resolver.ts';
import { printable } from '../probe/reply.ts';

export type DnsblStatus = 'listed' | 'clean' | 'error' | 'unknown';

/** One lookup of one address in one list. */
export interface DnsblResult {
  zone: string;
  /** the name asked: 2.0.0.127.zen.example */
  query: string;
  status: DnsblStatus;
  /** the A records returned (listing or error codes) */
  codes: string[];
  /** listed: the TXT reason (may be ''); error/unknown: what went wrong; clean: '' */
  reason: string;
  /** epoch ms */
  at: number;
}

/** What mxpool believes about one address in one list: the last definite verdict and the last lookup. */
export interface DnsblVerdict {
  zone: string;
  /** listed by the last lookup that gave a verdict (false before any did) */
  listed: boolean;
  /** epoch ms of that verdict, null before any */
  decidedAt: number | null;
  last: DnsblResult;
}

/** The query name of an address in a list; undefined for something that is not an address. */
export function dnsblName(address: string, zone: string): string | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  return `${reverseName(address, parsed).replace(/\.(in-addr|ip6)\.arpa$/, '')}.${zone}`;
}

const ERROR_CODES: Record<string, string> = {
  '127.255.255.252': 'typing error in the DNSBL name',
  '127.255.255.254': 'query through a public or open resolver, refused by the list',
  '127.255.255.255': 'excessive number of queries, refused by the list',
};

/** Why an A answer is not a listing, or undefined when it is one. */
export function notAListing(code: string): string | undefined {
  const octets = code.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return `${code} is not an IPv4 address`;
  if (octets[0] !== 127) return `${code} is outside 127.0.0.0/8: not a DNSBL answer (a resolver that rewrites NXDOMAIN, or a wildcard)`;
  if (code === '127.0.0.1') return '127.0.0.1 is not a listing (RFC 5782 5; some lists answer it to refuse queries)';
  if (octets[1] === 255 && octets[2] === 255) return `${code}: ${ERROR_CODES[code] ?? 'an error code of the list (127.255.255.0/24)'}`;
  return undefined;
}

/** The A answer (and, when listed, the TXT answer) of one lookup -> its result. */
export function judgeDnsbl(zone: string, query: string, a: Answer<string>, txt: Answer<string[]> | undefined, at: number): DnsblResult {
  const base = { zone, query, at };
  switch (a.status) {
    case 'nxdomain':
      return { ...base, status: 'clean', codes: [], reason: '' };
    case 'nodata':
      return { ...base, status: 'clean', codes: [], reason: '' };
    case 'unresolvable':
      return { ...base, status: 'error', codes: [], reason: a.reason };
    case 'temperror':
      return { ...base, status: 'unknown', codes: [], reason: a.reason };
    case 'ok': {
      const codes = [...a.records].sort();
      if (codes.length === 0) return { ...base, status: 'clean', codes, reason: '' };
      const problems = codes.map(notAListing).filter((p): p is string => p !== undefined);
      if (problems.length > 0) return { ...base, status: 'error', codes, reason: problems.join('; ') };
      const text = txt?.status === 'ok' ? txt.records.map((strings) => strings.join('')).join(' | ') : '';
      return { ...base, status: 'listed', codes, reason: printable(text, 200) };
    }
  }
}

/** The new belief after a lookup: a verdict replaces the old one; an error or unknown keeps it. */
export function keep(previous: DnsblVerdict | undefined, result: DnsblResult): DnsblVerdict {
  if (result.status === 'listed' || result.status === 'clean') return { zone: result.zone, listed: result.status === 'listed', decidedAt: result.at, last: result };
  return { zone: result.zone, listed: previous?.listed ?? false, decidedAt: previous?.decidedAt ?? null, last: result };
}

/** For a person: "listed on zen.example (127.0.0.2: spam source)", "lookup error on ...: ...; keeping: listed". */
export function describeVerdict(verdict: DnsblVerdict): string {
  const { last } = verdict;
  const codes = last.codes.join(', ');
  switch (last.status) {
    case 'listed':
      return `listed on ${last.zone} (${codes}${last.reason ? `: ${last.reason}` : ''})`;
    case 'clean':
      return `not listed on ${last.zone}`;
    default: {
      const kept = verdict.decidedAt === null ? 'no verdict yet' : `keeping the last verdict: ${verdict.listed ? 'listed' : 'not listed'}`;
      return `${last.status === 'error' ? 'lookup error' : 'no answer'} from ${last.zone}: ${last.reason}; ${kept}`;
    }
  }
}

/** One line for a list that counts the address as listed (the last lookup may have failed since). */
export function listingLine(verdict: DnsblVerdict): string {
  return verdict.last.status === 'listed' ? describeVerdict(verdict) : `listed on ${verdict.zone} (${describeVerdict(verdict)})`;
}
