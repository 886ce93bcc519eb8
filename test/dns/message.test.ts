// The client-side codec: a query our own server's strict decoder accepts; a response written by the
// server's encoder read back record by record (compression, TXT strings, MX, SOA, AAAA, OPT
// extended rcode); and no input at all, truncated or random, makes the decoder throw.
import { describe, expect, it } from 'vitest';
import { decodeQuery } from '../../src/dns/query.ts';
import { encodeResponse } from '../../src/dns/encode.ts';
import { decodeResponse, encodeQuery } from '../../src/dns/message.ts';
import { TYPE, CLASS, RCODE } from '../../src/dns/constants.ts';

function sample(): Buffer {
  const labels = ['c0001', 'test'];
  return encodeResponse(
    {
      id: 4242,
      opcode: 0,
      aa: true,
      rd: true,
      cd: false,
      rcode: RCODE.NOERROR,
      question: { labels, lower: labels, type: TYPE.MX, class: CLASS.IN },
      answer: [
        { labels, type: TYPE.MX, ttl: 300, data: { type: 'MX', preference: 10, exchange: 'mx1.isp.test' } },
        { labels, type: TYPE.TXT, ttl: 300, data: { type: 'TXT', strings: ['v=spf1 ', 'include:_spf.isp.test -all'] } },
      ],
      authority: [{ labels: ['test'], type: TYPE.SOA, ttl: 3600, data: { type: 'SOA', mname: 'ns1.test', rname: 'hostmaster.test', serial: 7, refresh: 3600, retry: 600, expire: 86400, minimum: 300 } }],
      additional: [
        { labels: ['mx1', 'isp', 'test'], type: TYPE.A, ttl: 60, data: { type: 'A', address: '127.14.1.10' } },
        { labels: ['mx1', 'isp', 'test'], type: TYPE.AAAA, ttl: 60, data: { type: 'AAAA', address: '2001:db8::a' } },
      ],
      edns: { payload: 1232, do: false },
    },
    4096,
  );
}

describe('the client-side DNS codec', () => {
  it('a query is one question with RD and an OPT record of 1232 octets', () => {
    const decoded = decodeQuery(encodeQuery(7, 'C0001.Test', TYPE.TXT, { edns: true }));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.query).toMatchObject({ id: 7, rd: true, response: false, question: { lower: ['c0001', 'test'], type: TYPE.TXT }, edns: { payload: 1232 } });
    const plain = decodeQuery(encodeQuery(8, 'c0001.test', TYPE.A, { edns: false }));
    expect(plain.ok && plain.query.edns).toBeUndefined();
    expect(() => encodeQuery(1, `${'a'.repeat(64)}.test`, TYPE.A, { edns: true })).toThrow(RangeError);
  });

  it('reads every section of a response', () => {
    const decoded = decodeResponse(sample());
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const m = decoded.message;
    expect(m).toMatchObject({ id: 4242, aa: true, tc: false, rcode: 0, edns: true, question: { name: 'c0001.test', type: TYPE.MX } });
    expect(m.answer).toEqual([
      { name: 'c0001.test', ttl: 300, data: { type: 'MX', preference: 10, exchange: 'mx1.isp.test' } },
      { name: 'c0001.test', ttl: 300, data: { type: 'TXT', strings: ['v=spf1 ', 'include:_spf.isp.test -all'] } },
    ]);
    expect(m.authority).toEqual([{ name: 'test', ttl: 3600, data: { type: 'SOA', mname: 'ns1.test', rname: 'hostmaster.test', serial: 7, minimum: 300 } }]);
    expect(m.additional.map((r) => r.data)).toEqual([{ type: 'A', address: '127.14.1.10' }, { type: 'AAAA', address: '2001:db8::a' }]);
  });

  it('never throws: every truncation and random bytes are "malformed" or decode', () => {
    const full = sample();
    for (let length = 0; length < full.length; length++) {
      const result = decodeResponse(full.subarray(0, length));
      expect(result.ok, `truncated at ${length}`).toBe(false);
    }
    let seed = 14;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(full);
      for (let flips = 0; flips < 4; flips++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      expect(() => decodeResponse(bytes)).not.toThrow();
    }
  });
});
