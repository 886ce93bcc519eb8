// Finds the SPF record of a name (RFC 7208 4.5): the TXT records that start with "v=spf1",
// their character-strings joined without separators (3.3).
import { isSpfRecord } from '../../auth/spf-syntax.ts';
import { describeFailure, type Resolver } from '../resolver.ts';

export type SpfLookup =
  | { status: 'found'; text: string; strings: string[] }
  | { status: 'none'; nxdomain: boolean }
  | { status: 'multiple'; texts: string[] }
  | { status: 'temperror' | 'unresolvable'; reason: string };

export async function findSpf(resolver: Resolver, name: string): Promise<SpfLookup> {
  const answer = await resolver.txt(name);
  if (answer.status === 'temperror' || answer.status === 'unresolvable') return { status: answer.status, reason: answer.reason };
  if (answer.status !== 'ok') return { status: 'none', nxdomain: answer.status === 'nxdomain' };
  const spf = answer.records.filter((strings) => isSpfRecord(strings.join('')));
  if (spf.length === 0) return { status: 'none', nxdomain: false };
  if (spf.length > 1) return { status: 'multiple', texts: spf.map((strings) => strings.join('')) };
  const strings = spf[0] as string[];
  return { status: 'found', text: strings.join(''), strings };
}

export function describeLookup(lookup: SpfLookup): string {
  switch (lookup.status) {
    case 'found':
      return lookup.text;
    case 'none':
      return lookup.nxdomain ? describeFailure({ status: 'nxdomain' }) : 'no SPF record';
    case 'multiple':
      return `${lookup.texts.length} SPF records`;
    default:
      return lookup.reason;
  }
}
