// Bad input: 100,000 random and mutated packets (truncated headers, compression pointer loops,
// labels over 63, names over 255, lying counts, huge ARCOUNT, garbage OPT, responses, odd opcodes)
// through the whole packet path (fast path, decoder, answer, encoder), and a share of them at the
// real UDP server. Nothing throws or hangs; structural garbage gets FORMERR or no reply; afterwards a
// valid query is still answered correctly. Seeded, so a failure is reproducible.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { Engine } from '../../src/dns/engine.ts';
import { seededRandom } from '../../src/dns/rotation.ts';
import { TYPE, RCODE } from '../../src/dns/constants.ts';
import type { DnsServer } from '../../src/dns/server.ts';
import { dig, dnsConfig, startServer, zoneOf } from './helpers.ts';
import { rawQuery } from './packets.ts';

const TOTAL = 100_000;
const OVER_UDP = 5_000;
const cfg = dnsConfig('127.0.2.20:0');
const random = seededRandom(20261130);
const int = (n: number) => Math.floor(random() * n);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

const SEEDS = [
  rawQuery('mx1.example.com', TYPE.A),
  rawQuery('example.com', TYPE.MX, { edns: { payload: 4096, do: true } }),
  rawQuery('Mx.Example.Com', TYPE.A, { edns: { payload: 1232 } }),
  rawQuery('big.example.com', TYPE.TXT),
  rawQuery('nope.example.com', TYPE.AAAA),
  rawQuery('example.com', TYPE.ANY),
];

type Kind = 'structural' | 'mutation';

/** One bad packet and whether it is structurally broken (must be FORMERR or dropped). */
function badPacket(): { packet: Buffer; kind: Kind } {
  const seed = Buffer.from(SEEDS[int(SEEDS.length)] as Buffer);
  const header = seed.subarray(0, 12);
  switch (int(12)) {
    case 0:
      return { packet: bytes(int(600)), kind: 'mutation' };
    case 1: // truncated header or question
      return { packet: seed.subarray(0, int(seed.length)), kind: 'structural' };
    case 2: { // compression pointer loop: to itself, or two pointers to each other
      const loop = int(2) === 0 ? Buffer.from([0xc0, 12]) : Buffer.from([1, 0x61, 0xc0, 12]);
      return { packet: Buffer.concat([header, loop, Buffer.from([0, 1, 0, 1])]), kind: 'structural' };
    }
    case 3: { // a label length 64..191 (reserved label types or just too long)
      const length = 64 + int(128);
      return { packet: Buffer.concat([header, Buffer.from([length]), bytes(int(length)), Buffer.from([0, 0, 1, 0, 1])]), kind: 'structural' };
    }
    case 4: { // a name over 255 octets
      const labels = Array.from({ length: 5 + int(4) }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)]));
      return { packet: Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]), kind: 'structural' };
    }
    case 5: { // lying counts
      seed.writeUInt16BE(int(65536), 4 + 2 * int(4));
      return { packet: seed, kind: 'mutation' };
    }
    case 6: // huge ARCOUNT
      seed.writeUInt16BE(0xff00 + int(256), 10);
      return { packet: seed, kind: 'structural' };
    case 7: { // garbage OPT: random rdata with a lying length, random version/flags
      const opt = Buffer.concat([Buffer.from([0, 0, 41]), bytes(6), Buffer.from([0, 8 + int(20)]), bytes(int(12))]);
      const base = rawQuery('mx1.example.com', TYPE.A);
      base.writeUInt16BE(1, 10);
      return { packet: Buffer.concat([base, opt]), kind: 'mutation' };
    }
    case 8: { // flip bytes
      for (let i = 0, n = 1 + int(4); i < n; i++) seed[int(seed.length)] = int(256);
      return { packet: seed, kind: 'mutation' };
    }
    case 9: // random opcode / QR / flags
      seed[2] = int(256);
      seed[3] = int(256);
      return { packet: seed, kind: 'mutation' };
    case 10: // garbage appended
      return { packet: Buffer.concat([seed, bytes(1 + int(40))]), kind: 'structural' };
    default: { // a pointer forwards (at or after itself): never followed
      const target = 12 + int(0x3fff - 12);
      return { packet: Buffer.concat([header, Buffer.from([0xc0 | (target >> 8), target & 0xff]), Buffer.from([0, 1, 0, 1])]), kind: 'structural' };
    }
  }
}

/** Why a reply is wrong, or undefined (plain checks: 100,000 expect() calls would dominate the run). */
function replyProblem(packet: Buffer, reply: Buffer | undefined, kind: Kind, transport: 'udp' | 'tcp'): string | undefined {
  if (reply === undefined) return undefined;
  if (reply.length < 12) return `reply shorter than a header`;
  if (reply.length > (transport === 'udp' ? 1232 : 65535)) return `reply of ${reply.length} octets over ${transport}`;
  if (reply.readUInt16BE(0) !== packet.readUInt16BE(0)) return 'reply ID differs from the query ID';
  if (((reply[2] as number) & 0x80) === 0) return 'reply without QR';
  if (kind === 'structural' && ((reply[3] as number) & 0x0f) !== RCODE.FORMERR) return `structural garbage ${packet.toString('hex')} answered with rcode ${(reply[3] as number) & 0x0f}`;
  return undefined;
}

describe('fuzz', () => {
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

  it(`${TOTAL} bad packets through the packet path: no throw, FORMERR or drop, then a valid answer`, () => {
    const engine = new Engine(zoneOf(cfg), seededRandom(1));
    const counts = { dropped: 0, formerr: 0, other: 0 };
    const problems: string[] = [];
    const started = Date.now();
    for (let i = 0; i < TOTAL; i++) {
      const { packet, kind } = badPacket();
      const transport = i % 5 === 0 ? 'tcp' : 'udp';
      const reply = engine.handle(packet, transport);
      if (reply?.transfer) continue; // a mutated packet can become a valid AXFR question
      const problem = replyProblem(packet, reply?.reply, kind, transport);
      if (problem) problems.push(problem);
      if (!reply?.reply) counts.dropped++;
      else if (((reply.reply[3] as number) & 0x0f) === RCODE.FORMERR) counts.formerr++;
      else counts.other++;
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(counts.formerr).toBeGreaterThan(TOTAL / 3);
    expect(counts.other).toBeGreaterThan(0); // some mutations are valid queries, answered normally
    expect(counts.dropped).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(60_000); // a hang shows as a timeout, not a slow pass
    const good = engine.handle(rawQuery('mx1.example.com', TYPE.A, { id: 77 }), 'udp');
    expect(good?.rcode).toBe('NOERROR');
    expect(good?.reply?.subarray(-4)).toEqual(Buffer.from([192, 0, 2, 11]));
  });

  it(`${OVER_UDP} bad packets at the UDP server, then dig still gets the right answer`, async () => {
    const socket = createSocket('udp4');
    let replies = 0;
    const problems: string[] = [];
    const sent: Map<number, Kind> = new Map();
    socket.on('message', (msg) => {
      replies++;
      if (msg.length < 12 || ((msg[2] as number) & 0x80) === 0) problems.push(`not a response: ${msg.toString('hex')}`);
      const kind = sent.get(msg.readUInt16BE(0));
      if (kind === 'structural' && ((msg[3] as number) & 0x0f) !== RCODE.FORMERR) problems.push(`structural garbage answered with rcode ${(msg[3] as number) & 0x0f}`);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.2.20', () => resolve()));
    for (let i = 0; i < OVER_UDP; i++) {
      const { packet, kind } = badPacket();
      if (packet.length >= 2) {
        packet.writeUInt16BE(i, 0); // IDs tell which packet a reply belongs to
        sent.set(i, kind);
      }
      socket.send(packet, port, host);
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.close();
    expect(problems.slice(0, 5)).toEqual([]);
    expect(replies).toBeGreaterThan(OVER_UDP / 3);
    expect((await dig(host, port, ['+short', 'mx1.example.com', 'A'])).trim()).toBe('192.0.2.11');
    expect((await dig(host, port, ['+tcp', '+short', 'example.com', 'MX'])).trim().split('\n')).toHaveLength(3);
  });
});
