// Table tests of the pure answer engine: decoded query in, sections out. No sockets.
import { describe, expect, it } from 'vitest';
import { answer, type Response } from '../../src/dns/answer.ts';
import { compileZone } from '../../src/dns/zoneindex.ts';
import type { Query } from '../../src/dns/query.ts';
import { TYPE, RCODE, CLASS } from '../../src/dns/constants.ts';
import { formatRData } from '../../src/dns/rdata.ts';
import { dnsConfig, zoneOf } from './helpers.ts';

const zone = compileZone(zoneOf(dnsConfig('127.0.2.1:0')));

function query(name: string, type: number, extra: Partial<Query> = {}): Query {
  const labels = name === '' ? [] : name.split('.');
  return { id: 42, response: false, opcode: 0, aa: false, rd: true, cd: false, rcode: 0, question: { labels, lower: labels.map((l) => l.toLowerCase()), type, class: CLASS.IN }, ...extra };
}

const ask = (name: string, type: number, extra: Partial<Query> = {}, transport: 'udp' | 'tcp' = 'udp') => answer(zone, query(name, type, extra), { transport, random: () => 0 });
const show = (records: Response['answer']) => records.map((r) => `${r.labels.join('.')} ${r.ttl} ${r.data.type} ${formatRData(r.data)}`);

describe('answer', () => {
  it.each([
    // name, type, rcode, aa, answer, authority (types), additional (names)
    ['mx1.example.com', TYPE.A, RCODE.NOERROR, true, ['mx1.example.com 30 A 192.0.2.11'], [], []],
    ['mx3.example.com', TYPE.AAAA, RCODE.NOERROR, true, ['mx3.example.com 30 AAAA 2001:db8::13'], [], []],
    ['mx1.example.com', TYPE.MX, RCODE.NOERROR, true, [], ['SOA'], []],
    ['nope.example.com', TYPE.A, RCODE.NXDOMAIN, true, [], ['SOA'], []],
    ['deep.example.com', TYPE.A, RCODE.NOERROR, true, [], ['SOA'], []], // empty non-terminal: NODATA, not NXDOMAIN (RFC 8020)
    ['b.deep.example.com', TYPE.TXT, RCODE.NOERROR, true, [], ['SOA'], []],
    ['example.org', TYPE.A, RCODE.REFUSED, false, [], [], []],
    ['com', TYPE.NS, RCODE.REFUSED, false, [], [], []],
    ['', TYPE.NS, RCODE.REFUSED, false, [], [], []],
    ['notexample.com', TYPE.A, RCODE.REFUSED, false, [], [], []],
    ['www.example.com', TYPE.A, RCODE.NOERROR, true, ['www.example.com 3600 CNAME example.net.'], [], []],
    ['www.example.com', TYPE.CNAME, RCODE.NOERROR, true, ['www.example.com 3600 CNAME example.net.'], [], []],
    ['dangling.example.com', TYPE.A, RCODE.NXDOMAIN, true, ['dangling.example.com 3600 CNAME nothere.example.com.'], ['SOA'], []],
    ['example.com', TYPE.NS, RCODE.NOERROR, true, ['example.com 3600 NS ns1.example.com.', 'example.com 3600 NS ns2.example.net.'], [], ['ns1.example.com']],
    ['_sip._tcp.example.com', TYPE.SRV, RCODE.NOERROR, true, ['_sip._tcp.example.com 3600 SRV 10 5 5060 sip.example.com.'], [], []],
    ['example.com', TYPE.CAA, RCODE.NOERROR, true, ['example.com 3600 CAA 0 issue "letsencrypt.org"'], [], []],
    ['example.com', 99, RCODE.NOERROR, true, [], ['SOA'], []], // unknown type: NODATA
  ] as const)('%s type %i -> rcode %i', (name, type, rcode, aa, answers, authority, additional) => {
    const response = ask(name, type);
    expect(response.rcode).toBe(rcode);
    expect(response.aa).toBe(aa);
    expect(show(response.answer)).toEqual(answers);
    expect(response.authority.map((r) => r.data.type)).toEqual(authority);
    expect(response.additional.map((r) => r.labels.join('.'))).toEqual(additional);
    expect(response.id).toBe(42);
    expect(response.rd).toBe(true);
  });

  it('negative answers carry the SOA at min(SOA TTL, MINIMUM) (RFC 2308)', () => {
    const response = ask('nope.example.com', TYPE.A);
    expect(response.authority[0]?.ttl).toBe(60);
    expect(response.authority[0]?.labels).toEqual(['example', 'com']);
  });

  it('follows a CNAME chain inside the zone to the weighted pool name', () => {
    const response = ask('chain.example.com', TYPE.A);
    expect(show(response.answer)).toEqual([
      'chain.example.com 3600 CNAME alias.example.com.',
      'alias.example.com 3600 CNAME mx.example.com.',
      'mx.example.com 30 A 192.0.2.11',
      'mx.example.com 30 A 192.0.2.12',
    ]);
    expect(response.rotated).toBe(true);
  });

  it('stops at a CNAME that leaves the zone', () => {
    expect(show(ask('outside.example.com', TYPE.A).answer)).toEqual(['outside.example.com 3600 CNAME www.example.org.']);
  });

  it('MX answers carry the exchanges A/AAAA in additional', () => {
    const response = ask('example.com', TYPE.MX);
    expect(response.answer.map((r) => formatRData(r.data)).sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.', '10 mx3.example.com.']);
    expect(show(response.additional).sort()).toEqual(['mx1.example.com 30 A 192.0.2.11', 'mx2.example.com 30 A 192.0.2.12', 'mx3.example.com 30 AAAA 2001:db8::13']);
  });

  it('keeps the question case in the owner (0x20) and compares case-insensitively', () => {
    const response = ask('Mx1.ExAmPlE.CoM', TYPE.A);
    expect(response.rcode).toBe(RCODE.NOERROR);
    expect(response.answer[0]?.labels).toEqual(['Mx1', 'ExAmPlE', 'CoM']);
    expect(response.question?.labels).toEqual(['Mx1', 'ExAmPlE', 'CoM']);
  });

  it('refers queries at or below a delegation (AA clear, NS in authority, glue in additional)', () => {
    for (const name of ['sub.example.com', 'host.sub.example.com']) {
      const response = ask(name, TYPE.A);
      expect(response.aa).toBe(false);
      expect(response.rcode).toBe(RCODE.NOERROR);
      expect(response.answer).toEqual([]);
      expect(show(response.authority)).toEqual(['sub.example.com 3600 NS ns.sub.example.com.']);
      expect(show(response.additional)).toEqual(['ns.sub.example.com 3600 A 192.0.2.99']);
    }
    const ds = ask('sub.example.com', TYPE.DS);
    expect(ds.aa).toBe(true);
    expect(ds.authority.map((r) => r.data.type)).toEqual(['SOA']);
  });

  it('answers ANY with one RRset (RFC 8482)', () => {
    const response = ask('example.com', TYPE.ANY);
    expect(new Set(response.answer.map((r) => r.data.type)).size).toBe(1);
    expect(ask('www.example.com', TYPE.ANY).answer.map((r) => r.data.type)).toEqual(['CNAME']);
    expect(ask('nope.example.com', TYPE.ANY).rcode).toBe(RCODE.NXDOMAIN);
  });

  it.each([
    ['an unknown opcode', { opcode: 2 }, RCODE.NOTIMP],
    ['UPDATE', { opcode: 5 }, RCODE.NOTIMP],
    ['EDNS version 1', { edns: { payload: 1232, version: 1, do: false } }, RCODE.BADVERS],
  ] as const)('%s -> %i', (_what, extra, rcode) => {
    const response = ask('mx1.example.com', TYPE.A, extra as Partial<Query>);
    expect(response.rcode).toBe(rcode);
    expect(response.answer).toEqual([]);
  });

  it('refuses non-IN classes; FORMERR for meta types as questions; NOTIMP for MAILA', () => {
    const chaos = answer(zone, { ...query('version.bind', TYPE.TXT), question: { labels: ['version', 'bind'], lower: ['version', 'bind'], type: TYPE.TXT, class: CLASS.CH } }, { transport: 'udp', random: () => 0 });
    expect(chaos.rcode).toBe(RCODE.REFUSED);
    expect(ask('example.com', TYPE.OPT).rcode).toBe(RCODE.FORMERR);
    expect(ask('example.com', TYPE.TSIG).rcode).toBe(RCODE.FORMERR);
    expect(ask('example.com', TYPE.MAILA).rcode).toBe(RCODE.NOTIMP);
  });

  it('echoes EDNS: payload capped at 1232, at least 512, DO bit copied', () => {
    expect(ask('mx1.example.com', TYPE.A, { edns: { payload: 4096, version: 0, do: true } }).edns).toEqual({ payload: 1232, do: true });
    expect(ask('mx1.example.com', TYPE.A, { edns: { payload: 100, version: 0, do: false } }).edns).toEqual({ payload: 512, do: false });
    expect(ask('mx1.example.com', TYPE.A).edns).toBeUndefined();
  });

  it('zone transfers: streamed over TCP, FORMERR for AXFR over UDP, IXFR over UDP to the transfer code (journal or SOA alone), NOTAUTH below the apex', () => {
    expect(ask('example.com', TYPE.AXFR, {}, 'tcp').transfer).toBe('axfr');
    expect(ask('example.com', TYPE.IXFR, {}, 'tcp').transfer).toBe('ixfr');
    expect(ask('example.com', TYPE.AXFR).rcode).toBe(RCODE.FORMERR);
    expect(ask('example.com', TYPE.IXFR).transfer).toBe('ixfr');
    expect(ask('mx1.example.com', TYPE.AXFR, {}, 'tcp').rcode).toBe(RCODE.NOTAUTH);
  });

  it('picks the weighted rotation with the injected random source', () => {
    const first = (random: number) => formatRData(answer(zone, query('mx.example.com', TYPE.A), { transport: 'udp', random: () => random }).answer[0]!.data);
    // weights 3:1 -> the first 3/4 of the rotations start with mx1
    expect(first(0)).toBe('192.0.2.11');
    expect(first(0.7)).toBe('192.0.2.11');
    expect(first(0.8)).toBe('192.0.2.12');
    expect(first(0.999)).toBe('192.0.2.12');
  });
});
