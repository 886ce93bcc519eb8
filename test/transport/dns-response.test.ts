// The audit's DNSSEC-aware questions on the wire (src/dns/message.ts): TLSA asked with DO and AD,
// TLSA and RRSIG records decoded from the answer, AD read; malformed ones refused, never a throw.
import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeQuery } from '../../src/dns/message.ts';
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

describe('TLSA and RRSIG on the wire', () => {
  it('decodes TLSA data and the type an RRSIG covers, and the AD bit', () => {
    const decoded = decodeResponse(response(0x8000 | 0x0400 | 0x0020, [{ name: '_25._tcp.MX1.example.com', type: TYPE.TLSA, rdata: tlsa }, { name: '_25._tcp.mx1.example.com', type: TYPE.RRSIG, rdata: rrsig }]));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message.ad).toBe(true);
    expect(decoded.message.answer).toEqual([
      { name: '_25._tcp.mx1.example.com', ttl: 300, data: { type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) } },
      { name: '_25._tcp.mx1.example.com', ttl: 300, data: { type: 'RRSIG', covered: TYPE.TLSA } },
    ]);
  });

  it.each([
    ['a TLSA of 2 octets', [{ name: 'a.example.com', type: TYPE.TLSA, rdata: Buffer.from([3, 1]) }], /TLSA record too short/],
    ['an RRSIG of 4 octets', [{ name: 'a.example.com', type: TYPE.RRSIG, rdata: Buffer.alloc(4) }], /RRSIG record too short/],
  ])('%s is a malformed answer', (_name, records, reason) => {
    const decoded = decodeResponse(response(0x8000, records));
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });

  it('a DNSSEC question sets DO in its OPT record and asks for AD; a plain one does neither', () => {
    const signed = encodeQuery(7, 'example.com', TYPE.TLSA, { edns: true, dnssec: true });
    expect(signed.readUInt16BE(2)).toBe(0x0120);
    expect(signed.readUInt16BE(signed.length - 4)).toBe(0x8000);
    const plain = encodeQuery(7, 'example.com', TYPE.TLSA, { edns: true });
    expect(plain.readUInt16BE(2)).toBe(0x0100);
    expect(plain.readUInt16BE(plain.length - 4)).toBe(0);
  });
});
