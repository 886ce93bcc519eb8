// RFC 7208 check_host() for one address, by mailauth (it passes the RFC 7208 suite); we only feed
// it our Resolver. Strict mode: RFC 7208 exactly (void lookups per 4.6.4, whole-record syntax).
// mailauth's SPF module is loaded on first use: it is the largest import of the audit command
// (about a third of its start-up), and a live audit without a config never evaluates an address.
import { mailauthResolver } from '../mailauth-resolver.ts';
import type { Resolver } from '../resolver.ts';

export const SPF_RESULTS = ['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror'] as const;
export type SpfResult = (typeof SPF_RESULTS)[number];

export interface SpfQuery {
  ip: string;
  /** MAIL FROM address; empty = null sender, the HELO identity is checked */
  sender: string;
  helo?: string;
}

export interface SpfVerdict {
  result: SpfResult;
  /** mailauth's explanation ("domain of x designates y as permitted sender") */
  comment: string;
  /** the SPF record that decided, when one was found */
  record?: string;
  lookups?: { count: number; void: number };
}

export async function evaluateSpf(resolver: Resolver, query: SpfQuery): Promise<SpfVerdict> {
  const { spf } = await import('mailauth/lib/spf/index.js');
  const outcome = await spf({
    ip: query.ip,
    sender: query.sender,
    helo: query.helo ?? '',
    mta: 'mxpool',
    resolver: mailauthResolver(resolver) as never,
    strict: true,
  });
  const status = outcome.status as { result: string; comment?: string };
  const result = (SPF_RESULTS as readonly string[]).includes(status.result) ? (status.result as SpfResult) : 'temperror';
  const lookups = (outcome as { lookups?: { count: number; void: number } }).lookups;
  const verdict: SpfVerdict = { result, comment: status.comment ?? '' };
  if (outcome.rr) verdict.record = outcome.rr;
  if (lookups) verdict.lookups = { count: lookups.count, void: lookups.void };
  return verdict;
}
