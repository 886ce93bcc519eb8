// PURE: the fast path keeps its templates in memory of their own (src/dns/template-arena.ts), not in
// slices of Node's shared Buffer pool that short-lived replies also use, and its byte bound counts
// that memory: past it the fast path starts over, and answers stay those of the generic path.
import { describe, expect, it } from 'vitest';
import { TemplateArena } from '../../src/dns/template-arena.ts';
import { FastPath, probeShape, type FastProbe } from '../../src/dns/wire.ts';
import { answer } from '../../src/dns/answer.ts';
import { encodeResponse } from '../../src/dns/encode.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { compileZone } from '../../src/dns/zoneindex.ts';
import { TYPE } from '../../src/dns/constants.ts';
import { dnsConfig, zoneOf } from './helpers.ts';
import { rawQuery } from './packets.ts';

const CHUNK = 64 * 1024;

describe('the template arena', () => {
  it('keeps copies in 64 KB chunks of its own, large ones apart, and counts what it handed out', () => {
    const arena = new TemplateArena();
    const pooled = Buffer.from('a short reply from the shared pool');
    const kept = arena.keep(pooled);
    expect(kept).toEqual(pooled);
    expect(kept.buffer).not.toBe(pooled.buffer); // not a slice of the pool slab
    expect(kept.buffer.byteLength).toBe(CHUNK);
    pooled.fill(0);
    expect(kept.toString()).toBe('a short reply from the shared pool'); // a copy
    const second = arena.keep(Buffer.from('next'));
    expect(second.buffer).toBe(kept.buffer); // same chunk
    expect(arena.held).toBe(CHUNK);
    for (let i = 0; i < 200; i++) arena.keep(Buffer.alloc(1000, i));
    expect(arena.held).toBe(4 * CHUNK); // 200 kB over four chunks, none shared with anything else
    const large = arena.keep(Buffer.alloc(CHUNK / 2, 7));
    expect(large.buffer.byteLength).toBe(CHUNK / 2);
    expect(arena.held).toBe(4 * CHUNK + CHUNK / 2);
    arena.reset();
    expect(arena.held).toBe(0);
    expect(arena.keep(Buffer.from('x')).buffer).not.toBe(kept.buffer);
  });

  it('the fast path starts over when its templates hold the byte bound, and answers as the generic path after', () => {
    const index = compileZone(zoneOf(dnsConfig('127.16.0.1:5300')));
    const fast = new FastPath(() => 0.5, { entries: 100_000, bytes: 2 * CHUNK });
    const owner = { retired: false };
    const generic = (packet: Buffer) => {
      const decoded = decodeQuery(packet);
      if (!decoded.ok) throw new Error('decode');
      return encodeResponse(answer(index, decoded.query, { transport: 'udp', random: () => 0.5 }), 512);
    };
    let startedOver = 0;
    let before = 0;
    for (let i = 0; i < 3000; i++) {
      const packet = rawQuery(`nx${i}.example.com`, TYPE.A, { id: i });
      expect(fast.respond(packet)).toBeUndefined();
      const probe: FastProbe | undefined = fast.miss ?? probeShape(packet);
      const decoded = decodeQuery(packet);
      if (!decoded.ok || !probe) throw new Error('decode');
      fast.learn(probe, answer(index, decoded.query, { transport: 'udp', random: () => 0.5 }), owner, 0, 256);
      if (fast.size < before) startedOver++;
      before = fast.size;
      expect(fast.held).toBeLessThanOrEqual(3 * CHUNK);
      const again = rawQuery(`nx${i}.example.com`, TYPE.A, { id: 0x4242 });
      expect(fast.respond(again)).toEqual(generic(again));
    }
    expect(startedOver).toBeGreaterThan(2);
  });
});
