// Decoding answers to the audit's own DNSSEC-aware queries: flags, the answer section with raw
// RDATA, and every malformed message an error value — never a throw (random bytes included).
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decodeResponse } from '../../src/dns/response.ts';
import { queryMessage } from '../../src/audit/dns-client.ts';
import { Writer, nameLabels } from '../../src/dns/writer.ts';
import { TYPE } from '../../src/dns/constants.ts';

function response(flags: number, records: { name: string; type: number; rdata: Buffer }[]): Buffer {
  const w = new Writer(512);
  w.u16(0x1234);
  w.u16(flags);
  w.u16(1);
  w.u16(records.length);
  w.u16(0);
  w.u16(0);
  w.name(nameLabels('_25._tcp.mx1.example.com'));
  w.u16(TYPE.TLSA);
  w.u16(1);
  for (const record of records) {
    w.name(nameLabels(record.name));
    w.u16(record.type);
    w.u16(1);
    w.u32(300);
    w.u16(record.rdata.length);
    w.bytes(record.rdata);
  }
  return w.result();
}

const tlsa = Buffer.concat([Buffer.from([3, 1, 1]), Buffer.alloc(32, 0xab)]);
const rrsig = Buffer.concat([Buffer.from([0, TYPE.TLSA]), Buffer.alloc(20, 1)]);

describe('decodeResponse', () => {
  it('reads flags and the answer section, names lower-cased', () => {
    const decoded = decodeResponse(response(0x8000 | 0x0400 | 0x0020, [{ name: '_25._tcp.MX1.example.com', type: TYPE.TLSA, rdata: tlsa }, { name: '_25._tcp.mx1.example.com', type: TYPE.RRSIG, rdata: rrsig }]));
    expect(decoded).toMatchObject({ id: 0x1234, rcode: 0, truncated: false, authentic: true });
    if ('problem' in decoded) throw new Error(decoded.problem);
    expect(decoded.answers.map((a) => [a.name, a.type, a.ttl, a.rdata.length])).toEqual([['_25._tcp.mx1.example.com', TYPE.TLSA, 300, 35], ['_25._tcp.mx1.example.com', TYPE.RRSIG, 300, 22]]);
  });

  it.each([
    ['a header only in part', Buffer.alloc(5), 'shorter than a DNS header'],
    ['a query, not a response', queryMessage(1, 'example.com', TYPE.TLSA), 'not a response (QR clear)'],
    ['an answer count past the end', (() => { const b = response(0x8000, []); b.writeUInt16BE(40, 6); return b; })(), 'answer count exceeds the message'],
    ['rdata past the end', response(0x8000, [{ name: 'a.example.com', type: TYPE.TLSA, rdata: tlsa }]).subarray(0, 60), 'rdata runs past the end'],
  ])('%s: %s', (_name, message, problem) => {
    expect(decodeResponse(message)).toEqual({ problem });
  });

  it('the query asks for DNSSEC records: EDNS with DO, AD requested', () => {
    const query = queryMessage(7, 'Example.COM.', TYPE.TLSA);
    expect(query.readUInt16BE(2)).toBe(0x0120); // RD + AD
    expect(query.readUInt16BE(10)).toBe(1); // one OPT
    expect(query.readUInt32BE(query.length - 6)).toBe(0x8000); // DO
    expect(query.includes(Buffer.from('\x07example\x03com\x00', 'latin1'))).toBe(true);
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(12 + (i % 200));
      bytes[2] = (bytes[2] as number) | 0x80;
      expect(() => decodeResponse(bytes)).not.toThrow();
    }
  });
});
