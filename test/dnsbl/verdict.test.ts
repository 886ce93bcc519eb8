// PURE: DNSBL query names and what answers mean (RFC 5782), as tables.
import { describe, expect, it } from 'vitest';
import { describeVerdict, dnsblName, judgeDnsbl, keep, notAListing, type DnsblResult, type DnsblVerdict } from '../../src/dnsbl/verdict.ts';
import type { Answer } from '../../src/audit/resolver.ts';

describe('dnsblName', () => {
  it.each([
    ['192.0.2.99', 'bl.example', '99.2.0.192.bl.example'],
    ['127.0.0.2', 'zen.example-bl.test', '2.0.0.127.zen.example-bl.test'],
    // RFC 5782 2.4: 32 nibbles, reversed
    ['2001:db8:1:2::3', 'bl.example', '3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example'],
    ['::1', 'bl.example', `1.${'0.'.repeat(31)}bl.example`],
    ['not-an-address', 'bl.example', undefined],
  ])('%s in %s -> %s', (address, zone, name) => {
    expect(dnsblName(address, zone)).toBe(name);
  });
});

describe('notAListing: codes that are errors of the lookup, never a listing', () => {
  it.each([
    ['127.0.0.2', undefined],
    ['127.0.0.4', undefined],
    ['127.0.1.2', undefined],
    ['127.255.254.1', undefined],
    ['127.255.255.254', '127.255.255.254: query through a public or open resolver, refused by the list'],
    ['127.255.255.252', '127.255.255.252: typing error in the DNSBL name'],
    ['127.255.255.255', '127.255.255.255: excessive number of queries, refused by the list'],
    ['127.255.255.1', '127.255.255.1: an error code of the list (127.255.255.0/24)'],
    ['127.0.0.1', '127.0.0.1 is not a listing (RFC 5782 5; some lists answer it to refuse queries)'],
    ['192.0.2.1', '192.0.2.1 is outside 127.0.0.0/8: not a DNSBL answer (a resolver that rewrites NXDOMAIN, or a wildcard)'],
    ['10.0.0.1', '10.0.0.1 is outside 127.0.0.0/8: not a DNSBL answer (a resolver that rewrites NXDOMAIN, or a wildcard)'],
  ])('%s', (code, why) => {
    expect(notAListing(code)).toBe(why);
  });
});

const ok = (...records: string[]): Answer<string> => ({ status: 'ok', records });
const txt = (...records: string[]): Answer<string[]> => ({ status: 'ok', records: records.map((r) => [r]) });

describe('judgeDnsbl', () => {
  const judge = (a: Answer<string>, t?: Answer<string[]>) => {
    const { status, codes, reason } = judgeDnsbl('bl.example', 'q.bl.example', a, t, 1000);
    return { status, codes, reason };
  };
  it.each<[string, Answer<string>, Answer<string[]> | undefined, { status: string; codes: string[]; reason: string }]>([
    ['NXDOMAIN: not listed', { status: 'nxdomain' }, undefined, { status: 'clean', codes: [], reason: '' }],
    ['NODATA: not listed', { status: 'nodata' }, undefined, { status: 'clean', codes: [], reason: '' }],
    ['127.0.0.2 with TXT: listed, with the reason', ok('127.0.0.2'), txt('Listed: spam source, see https://bl.example/q'), { status: 'listed', codes: ['127.0.0.2'], reason: 'Listed: spam source, see https://bl.example/q' }],
    ['two codes, no TXT: listed, no reason', ok('127.0.0.4', '127.0.0.2'), { status: 'nodata' }, { status: 'listed', codes: ['127.0.0.2', '127.0.0.4'], reason: '' }],
    ['Spamhaus "public resolver" code: an error', ok('127.255.255.254'), undefined, { status: 'error', codes: ['127.255.255.254'], reason: '127.255.255.254: query through a public or open resolver, refused by the list' }],
    ['a listing mixed with an error code: an error, not a listing', ok('127.0.0.2', '127.255.255.254'), undefined, { status: 'error', codes: ['127.0.0.2', '127.255.255.254'], reason: '127.255.255.254: query through a public or open resolver, refused by the list' }],
    ['an answer outside 127/8 (NXDOMAIN rewriting): an error', ok('192.0.2.1'), undefined, { status: 'error', codes: ['192.0.2.1'], reason: '192.0.2.1 is outside 127.0.0.0/8: not a DNSBL answer (a resolver that rewrites NXDOMAIN, or a wildcard)' }],
    ['timeout: unknown', { status: 'temperror', reason: 'q.bl.example: no answer within the timeout' }, undefined, { status: 'unknown', codes: [], reason: 'q.bl.example: no answer within the timeout' }],
    ['REFUSED: an error', { status: 'unresolvable', reason: 'refused' }, undefined, { status: 'error', codes: [], reason: 'refused' }],
    ['hostile TXT: printable, bounded', ok('127.0.0.2'), txt(`<b>\u0000${'x'.repeat(300)}`), { status: 'listed', codes: ['127.0.0.2'], reason: `<b>\\x00${'x'.repeat(196)}...` }],
  ])('%s', (_name, a, t, expected) => {
    expect(judge(a, t)).toEqual(expected);
  });
});

describe('keep: errors and unknowns keep the last verdict', () => {
  const result = (status: DnsblResult['status'], at: number): DnsblResult => ({ zone: 'bl.example', query: 'q', status, codes: status === 'listed' ? ['127.0.0.2'] : [], reason: status === 'unknown' ? 'timeout' : '', at });
  it('walks a history', () => {
    const history: [DnsblResult['status'], boolean, number | null][] = [
      ['unknown', false, null], // no verdict yet: not listed
      ['listed', true, 2],
      ['unknown', true, 2], // timeout: still listed, say so
      ['error', true, 2],
      ['clean', false, 5],
      ['error', false, 5],
    ];
    let verdict: DnsblVerdict | undefined;
    history.forEach(([status, listed, decidedAt], i) => {
      verdict = keep(verdict, result(status, i + 1));
      expect([verdict.listed, verdict.decidedAt], `step ${i}: ${status}`).toEqual([listed, decidedAt]);
    });
  });
  it('says what it keeps', () => {
    const listed = keep(undefined, result('listed', 1));
    expect(describeVerdict(listed)).toBe('listed on bl.example (127.0.0.2)');
    expect(describeVerdict(keep(listed, result('unknown', 2)))).toBe('no answer from bl.example: timeout; keeping the last verdict: listed');
    expect(describeVerdict(keep(undefined, result('unknown', 2)))).toBe('no answer from bl.example: timeout; no verdict yet');
  });
});
