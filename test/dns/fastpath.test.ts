// The fast path must answer exactly what the generic path answers: same bytes after the ID, for
// every query shape it takes (with/without EDNS, DO, case variants), and leave the rest alone.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/dns/engine.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { answer } from '../../src/dns/answer.ts';
import { encodeResponse } from '../../src/dns/encode.ts';
import { probeShape } from '../../src/dns/wire.ts';
import { TYPE } from '../../src/dns/constants.ts';
import { dnsConfig, zoneOf } from './helpers.ts';
import { rawQuery } from './packets.ts';

const zone = zoneOf(dnsConfig('127.0.2.1:0'));

function generic(engine: Engine, packet: Buffer, random: () => number): Buffer {
  const decoded = decodeQuery(packet);
  if (!decoded.ok) throw new Error('decode');
  const response = answer(engine.index, decoded.query, { transport: 'udp', random });
  return encodeResponse(response, response.edns ? Math.min(Math.max(decoded.query.edns?.payload ?? 512, 512), 1232) : 512);
}

describe('fast path', () => {
  const cases: [string, number, Parameters<typeof rawQuery>[2]][] = [
    ['mx1.example.com', TYPE.A, {}],
    ['MX1.Example.COM', TYPE.A, { edns: { payload: 4096 } }],
    ['example.com', TYPE.MX, { edns: { payload: 1232, do: true } }],
    ['example.com', TYPE.TXT, { flags: 0 }],
    ['nope.example.com', TYPE.A, { edns: { payload: 700 } }],
    ['deep.example.com', TYPE.AAAA, {}],
    ['example.org', TYPE.A, {}],
    ['www.example.com', TYPE.A, { flags: 0x0110 }], // RD + CD
    ['sub.example.com', TYPE.A, {}],
    ['mx.example.com', TYPE.A, {}], // weighted: one template for every order
    ['MX.example.com', TYPE.A, { edns: { payload: 1400 } }],
  ];

  it.each(cases)('%s type %i: the template reply equals the generic reply', (name, type, options) => {
    const engine = new Engine(zone, () => 0.3);
    const first = rawQuery(name, type, { ...options, id: 1 });
    const learned = engine.handle(first, 'udp');
    expect(engine.fastEntries).toBe(1);
    const again = rawQuery(name, type, { ...options, id: 0xbeef });
    const fast = engine.handle(again, 'udp');
    expect(fast?.reply).toEqual(generic(engine, again, () => 0.3));
    expect(fast?.reply?.readUInt16BE(0)).toBe(0xbeef);
    expect(fast?.rcode).toBe(learned?.rcode);
  });

  it.each(cases)('%s type %i: as the server asks (answerFast, then handle after its miss) it learns once and then answers from the template', (name, type, options) => {
    const engine = new Engine(zone, () => 0.3);
    const first = rawQuery(name, type, { ...options, id: 1 });
    expect(engine.answerFast(first)).toBeUndefined();
    const learned = engine.handle(first, 'udp', true);
    expect(learned?.reply).toEqual(generic(engine, first, () => 0.3));
    expect(engine.fastEntries).toBe(1);
    const again = rawQuery(name, type, { ...options, id: 0xbeef });
    expect(engine.answerFast(again)).toEqual(generic(engine, again, () => 0.3));
    expect(engine.lastFast?.rcode).toBe(learned?.rcode);
    expect(engine.fastHits).toBe(1);
  });

  it('precomputes the weighted rotations: the random source picks among them', () => {
    let next = 0;
    const engine = new Engine(zone, () => next);
    engine.handle(rawQuery('mx.example.com', TYPE.A), 'udp');
    const firstAddress = (random: number) => {
      next = random;
      const reply = engine.handle(rawQuery('mx.example.com', TYPE.A), 'udp')?.reply as Buffer;
      return [...reply.subarray(12 + 16 + 4 + 12, 12 + 16 + 4 + 16)].join('.');
    };
    expect(firstAddress(0.1)).toBe('192.0.2.11');
    expect(firstAddress(0.9)).toBe('192.0.2.12');
  });

  it('leaves unusual shapes to the generic path', () => {
    expect(probeShape(rawQuery('example.com', TYPE.A, { flags: 0x8000 }))).toBeUndefined(); // a response
    expect(probeShape(rawQuery('example.com', TYPE.A, { flags: 0x2800 }))).toBeUndefined(); // opcode 5
    expect(probeShape(rawQuery('example.com', TYPE.A, { edns: { payload: 1232, version: 1 } }))).toBeUndefined();
    expect(probeShape(Buffer.concat([rawQuery('example.com', TYPE.A), Buffer.from([0])]))).toBeUndefined();
    expect(probeShape(rawQuery('example.com', TYPE.A))).toBeDefined();
  });

  it('falls back to the generic path when the template does not fit the client buffer (TC)', () => {
    const engine = new Engine(zone, Math.random);
    const big = rawQuery('big.example.com', TYPE.TXT, { edns: { payload: 4096 } });
    engine.handle(big, 'udp');
    const small = engine.handle(rawQuery('big.example.com', TYPE.TXT), 'udp')?.reply as Buffer;
    expect(small.readUInt16BE(2) & 0x0200).toBe(0x0200);
    expect(small.length).toBeLessThanOrEqual(512);
  });
});
