// Weighted round robin, measured: over 10,000 answers the first-position share of each address is
// within 3 points of its weight share — through the pure answer engine with a seeded random source,
// and through the real UDP server (fast path with precomputed rotations) with Math.random.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { answer } from '../../src/dns/answer.ts';
import { compileZone } from '../../src/dns/zoneindex.ts';
import { seededRandom, weightedRotations } from '../../src/dns/rotation.ts';
import { ROTATION_SLOTS } from '../../src/dns/zoneindex.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { TYPE } from '../../src/dns/constants.ts';
import { formatRData } from '../../src/dns/rdata.ts';
import type { DnsServer } from '../../src/dns/server.ts';
import dns2 from 'dns2';
import { dnsConfig, startServer, zoneOf } from './helpers.ts';
import { rawQuery } from './packets.ts';
import { BASE_YAML } from '../desired/fixtures.ts';

const { Packet } = dns2 as unknown as { Packet: { parse(buf: Buffer): { answers: { address?: string }[] } } };
const N = 10_000;
const YAML = BASE_YAML.replace('address: 192.0.2.11, weight: 3', 'address: 192.0.2.11, weight: 5')
  .replace('address: 192.0.2.12, weight: 1', 'address: 192.0.2.12, weight: 3')
  .replace('address: "2001:db8::13", weight: 1', 'address: 192.0.2.13, weight: 2');
const SHARES = { '192.0.2.11': 0.5, '192.0.2.12': 0.3, '192.0.2.13': 0.2 };
const MX_SHARES = { '10 mx1.example.com.': 0.5, '10 mx2.example.com.': 0.3, '10 mx3.example.com.': 0.2 };
const cfg = dnsConfig('127.0.2.21:0', {}, YAML);

function expectShares(counts: Map<string, number>, shares: Record<string, number>): void {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  expect(total).toBe(N);
  for (const [value, share] of Object.entries(shares)) {
    const measured = (counts.get(value) ?? 0) / total;
    expect(Math.abs(measured - share), `${value}: ${(measured * 100).toFixed(1)}% vs ${share * 100}%`).toBeLessThanOrEqual(0.03);
  }
}

describe('weighted rotation, pure', () => {
  const zone = compileZone(zoneOf(cfg));
  it.each([
    ['mx.example.com', TYPE.A, SHARES],
    ['example.com', TYPE.MX, MX_SHARES],
  ] as const)('%s type %i', (name, type, shares) => {
    const random = seededRandom(12345);
    const decoded = decodeQuery(rawQuery(name, type));
    if (!decoded.ok) throw new Error('decode');
    const counts = new Map<string, number>();
    const orders = new Set<string>();
    for (let i = 0; i < N; i++) {
      const response = answer(zone, decoded.query, { transport: 'udp', random });
      const values = response.answer.map((r) => formatRData(r.data));
      expect(new Set(values).size).toBe(3); // every healthy host, each once
      orders.add(values.join(','));
      counts.set(values[0] as string, (counts.get(values[0] as string) ?? 0) + 1);
    }
    expectShares(counts, shares);
    expect(orders.size).toBeGreaterThanOrEqual(4); // the tail is shuffled too, not just the head
  });
});

describe('weighted rotation, the orders themselves', () => {
  it('after the first place the rest follows weighted sampling without replacement; weight 0 comes last', () => {
    const weights = [4, 2, 1, 1, 0];
    const seconds = new Map<number, number>();
    let afterZero = 0;
    let total = 0;
    for (let seed = 0; seed < 200; seed++) {
      for (const order of weightedRotations(weights, ROTATION_SLOTS, seed)) {
        expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
        expect(order[4]).toBe(4);
        if (order[0] !== 0) continue;
        total++;
        seconds.set(order[1] as number, (seconds.get(order[1] as number) ?? 0) + 1);
        if (order.indexOf(4) < 4) afterZero++;
      }
    }
    // first is index 0 (weight 4 of 8): the second is 1, 2 or 3 with chances 2:1:1 of the 4 left
    expect(afterZero).toBe(0);
    for (const [i, share] of [[1, 0.5], [2, 0.25], [3, 0.25]] as const) expect(Math.abs((seconds.get(i) ?? 0) / total - share)).toBeLessThanOrEqual(0.03);
  });
});

describe('weighted rotation, over UDP', () => {
  let server: DnsServer;
  let host: string;
  let port: number;
  beforeAll(async () => {
    ({ server, host, port } = await startServer(cfg));
    server.setZone(zoneOf(cfg));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('10,000 answers for the pool name', async () => {
    const socket = createSocket('udp4');
    const counts = new Map<string, number>();
    let received = 0;
    const done = new Promise<void>((resolve) => {
      socket.on('message', (msg) => {
        const address = Packet.parse(msg).answers[0]?.address ?? 'none';
        counts.set(address, (counts.get(address) ?? 0) + 1);
        received++;
        if (received === N) resolve();
      });
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.2.21', () => resolve()));
    // paced: at most 200 queries in flight, so nothing is lost to socket buffers
    const deadline = Date.now() + 20_000;
    for (let sent = 0; sent < N && Date.now() < deadline; ) {
      while (sent - received < 200 && sent < N) {
        socket.send(rawQuery('mx.example.com', TYPE.A, { id: sent & 0xffff }), port, host);
        sent++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${received} of ${N} answers`)), 20_000))]);
    socket.close();
    expectShares(counts, SHARES);
  });
});
