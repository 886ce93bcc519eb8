// The strict decoder: well-formed queries decode; every kind of malformed packet is FORMERR or a drop.
import { describe, expect, it } from 'vitest';
import dns2 from 'dns2';
import { decodeQuery } from '../../src/dns/query.ts';
import { encodeResponse } from '../../src/dns/encode.ts';
import { TYPE } from '../../src/dns/constants.ts';
import { rawQuery } from './packets.ts';

const { Packet } = dns2 as unknown as { Packet: { new (): Record<string, unknown>; parse(buf: Buffer): { header: Record<string, number>; questions: { name: string }[]; answers: Record<string, unknown>[]; additionals: Record<string, unknown>[] }; TYPE: Record<string, number>; CLASS: Record<string, number> } };

describe('decodeQuery', () => {
  it('decodes a plain query and one with EDNS + DO', () => {
    const plain = decodeQuery(rawQuery('Mx1.Example.com', TYPE.A));
    expect(plain.ok && plain.query.question).toEqual({ labels: ['Mx1', 'Example', 'com'], lower: ['mx1', 'example', 'com'], type: 1, class: 1 });
    const edns = decodeQuery(rawQuery('example.com', TYPE.MX, { edns: { payload: 4096, do: true } }));
    expect(edns.ok && edns.query.edns).toEqual({ payload: 4096, version: 0, do: true });
  });

  it('drops what is shorter than a header', () => {
    expect(decodeQuery(Buffer.alloc(11))).toMatchObject({ ok: false, drop: true });
  });

  const good = rawQuery('mx1.example.com', TYPE.A);
  it.each([
    ['QDCOUNT 0', (() => { const b = Buffer.from(good); b.writeUInt16BE(0, 4); return b; })(), /QDCOUNT is 0/],
    ['QDCOUNT 2', (() => { const b = Buffer.from(good); b.writeUInt16BE(2, 4); return b; })(), /QDCOUNT is 2/],
    ['a truncated question', good.subarray(0, good.length - 2), /past the end/],
    ['a label running past the end', Buffer.concat([good.subarray(0, 12), Buffer.from([40, 0x61])]), /past the end/],
    ['a label over 63 (0x40 type)', Buffer.concat([good.subarray(0, 12), Buffer.from([0x40, 0x61, 0, 0, 1, 0, 1])]), /label type/],
    ['a compression pointer loop', Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), /pointer does not point backwards/],
    ['a forward pointer', Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0])]), /pointer does not point backwards/],
    ['a name over 255 octets', Buffer.concat([good.subarray(0, 12), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 0x61)])), Buffer.from([0, 0, 1, 0, 1])]), /longer than 255/],
    ['ARCOUNT lying (huge)', (() => { const b = Buffer.from(good); b.writeUInt16BE(0xffff, 10); return b; })(), /counts exceed/],
    ['ANCOUNT lying', (() => { const b = Buffer.from(good); b.writeUInt16BE(1, 6); return b; })(), /counts exceed|past the end/],
    ['trailing garbage', Buffer.concat([good, Buffer.from([1, 2, 3])]), /octets after the last record/],
    ['two OPT records', (() => {
      const q = rawQuery('example.com', TYPE.A, { edns: { payload: 1232 } });
      const b = Buffer.concat([q, q.subarray(q.length - 11)]);
      b.writeUInt16BE(2, 10);
      return b;
    })(), /more than one OPT/],
    ['an OPT with a broken option', (() => {
      const q = rawQuery('example.com', TYPE.A, { edns: { payload: 1232 } });
      const b = Buffer.concat([q, Buffer.from([0, 10, 0, 9, 1])]);
      b.writeUInt16BE(5, b.length - 7);
      return b;
    })(), /EDNS option/],
  ])('%s is a format error', (_what, packet, reason) => {
    const decoded = decodeQuery(packet);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });
});

describe('encodeResponse', () => {
  it('produces messages that dns2 parses, with compression and the OPT record', () => {
    const decoded = decodeQuery(rawQuery('example.com', TYPE.MX, { edns: { payload: 4096, do: true } }));
    if (!decoded.ok) throw new Error('decode failed');
    const wire = encodeResponse(
      {
        id: 7, opcode: 0, aa: true, rd: true, cd: false, rcode: 0, question: decoded.query.question,
        answer: [{ labels: ['example', 'com'], type: TYPE.MX, ttl: 30, data: { type: 'MX', preference: 10, exchange: 'mx1.example.com' } }],
        authority: [],
        additional: [{ labels: ['mx1', 'example', 'com'], type: TYPE.A, ttl: 30, data: { type: 'A', address: '192.0.2.11' } }],
        edns: { payload: 1232, do: true },
      },
      512,
    );
    const packet = Packet.parse(wire);
    expect(packet.header).toMatchObject({ id: 7, qr: 1, aa: 1, rd: 1, rcode: 0 });
    expect(packet.answers[0]).toMatchObject({ name: 'example.com', exchange: 'mx1.example.com', priority: 10, ttl: 30 });
    expect(packet.additionals[0]).toMatchObject({ name: 'mx1.example.com', address: '192.0.2.11' });
    expect(wire.length).toBeLessThan(90); // names compressed against the question
    expect(wire.readUInt16BE(wire.length - 11 + 3)).toBe(1232);
  });

  it('drops additional before setting TC, and sets TC when the answer itself does not fit', () => {
    const decoded = decodeQuery(rawQuery('big.example.com', TYPE.TXT));
    if (!decoded.ok) throw new Error('decode failed');
    const txt = { labels: ['big', 'example', 'com'], type: TYPE.TXT, ttl: 60, data: { type: 'TXT' as const, strings: ['x'.repeat(255), 'y'.repeat(255)] } };
    const base = { id: 1, opcode: 0, aa: true, rd: false, cd: false, rcode: 0, question: decoded.query.question, authority: [] };
    const fits = encodeResponse({ ...base, answer: [txt], additional: [txt] }, 1232);
    expect(fits.readUInt16BE(2) & 0x0200).toBe(0);
    expect(fits.readUInt16BE(10)).toBe(1);
    const lean = encodeResponse({ ...base, answer: [txt], additional: [txt] }, 600);
    expect(lean.readUInt16BE(2) & 0x0200).toBe(0);
    expect(lean.readUInt16BE(10)).toBe(0);
    const truncated = encodeResponse({ ...base, answer: [txt, txt], additional: [] }, 512);
    expect(truncated.readUInt16BE(2) & 0x0200).toBe(0x0200);
    expect(truncated.readUInt16BE(6)).toBe(0);
    expect(truncated.length).toBeLessThanOrEqual(512);
  });
});
