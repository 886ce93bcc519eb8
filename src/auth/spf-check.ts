// The static part of the SPF audit, run on a record mxpool is about to publish: syntax, size and
// the lookup count that can be known without DNS (every include/a/mx/ptr/exists/redirect costs one
// lookup; mxpool's own chain records are followed; the contents of foreign includes are not known
// here — `mxpool audit` resolves them). Any problem returned here blocks publication.
import { isLookupTerm, parseSpf } from './spf-syntax.ts';
import type { SpfRecord } from './spf-record.ts';
import { octets } from './txt.ts';

export const MAX_LOOKUPS = 10;
export const RECORD_HARD_LIMIT = 512;

export function checkOwnSpf(records: readonly SpfRecord[]): string[] {
  const problems: string[] = [];
  let lookups = 0;
  for (const record of records) {
    const parsed = parseSpf(record.text);
    if (!parsed.ok) problems.push(`${record.name}: SPF syntax error at column ${parsed.column}: ${parsed.message}`);
    if (octets(record.text) > RECORD_HARD_LIMIT) problems.push(`${record.name}: SPF record is ${octets(record.text)} octets, over ${RECORD_HARD_LIMIT} (RFC 7208 3.4)`);
    lookups += parsed.terms.filter(isLookupTerm).length;
  }
  if (lookups > MAX_LOOKUPS) problems.push(`SPF needs at least ${lookups} DNS lookups, over the limit of ${MAX_LOOKUPS} (RFC 7208 4.6.4): receivers would return permerror`);
  return problems;
}
