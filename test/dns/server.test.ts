// The nameserver over real sockets, with dig (bind9-dnsutils) as the peer: UDP and TCP, EDNS on and
// off, the DO bit, truncation, zone transfers allowed and refused, zone swaps and serials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dns2 from 'dns2';
import type { DnsServer } from '../../src/dns/server.ts';
import { TYPE } from '../../src/dns/constants.ts';
import { desired, allHealthy } from '../../src/desired.ts';
import { answerLines, dig, dnsConfig, startServer, udpExchange, zoneOf } from './helpers.ts';
import { rawQuery } from './packets.ts';
import { health } from '../desired/fixtures.ts';

const { Packet } = dns2 as unknown as { Packet: { parse(buf: Buffer): { header: Record<string, number>; questions: { name: string }[]; answers: Record<string, unknown>[] } } };

const cfg = dnsConfig('127.0.2.1:0', { transfer: { allow: ['127.0.2.3'], notify: [] } });
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

describe('nameserver with dig', () => {
  it('answers A over UDP with EDNS: AA set, no RA, OPT echoed at 1232', async () => {
    const out = await dig(host, port, ['mx1.example.com', 'A']);
    expect(out).toMatch(/status: NOERROR/);
    expect(out).toMatch(/flags: qr aa rd;/);
    expect(out).toMatch(/EDNS: version: 0, flags:; udp: 1232/);
    expect(out).toMatch(/^mx1\.example\.com\.\s+30\s+IN\s+A\s+192\.0\.2\.11$/m);
  });

  it('answers without EDNS (no OPT in the reply) and echoes the DO bit with +dnssec', async () => {
    const plain = await dig(host, port, ['+noedns', 'mx1.example.com', 'A']);
    expect(plain).toMatch(/status: NOERROR/);
    expect(plain).not.toMatch(/OPT PSEUDOSECTION/);
    const dnssec = await dig(host, port, ['+dnssec', 'mx1.example.com', 'A']);
    expect(dnssec).toMatch(/EDNS: version: 0, flags: do; udp: 1232/);
    expect(dnssec).toMatch(/192\.0\.2\.11/);
  });

  it('answers MX over TCP with the exchanges in additional', async () => {
    const out = await dig(host, port, ['+tcp', 'example.com', 'MX']);
    expect(out).toMatch(/flags: qr aa rd;/);
    expect(answerLines(await dig(host, port, ['+tcp', '+noall', '+answer', 'example.com', 'MX'])).map((l) => l.slice(4).join(' ')).sort()).toEqual([
      '10 mx1.example.com.',
      '10 mx2.example.com.',
      '10 mx3.example.com.',
    ]);
    expect(out).toMatch(/ADDITIONAL SECTION:[\s\S]*mx3\.example\.com\.\s+30\s+IN\s+AAAA\s+2001:db8::13/);
  });

  it('NXDOMAIN and NODATA carry the SOA; out-of-zone names are REFUSED', async () => {
    const nx = await dig(host, port, ['nope.example.com', 'A']);
    expect(nx).toMatch(/status: NXDOMAIN/);
    expect(nx).toMatch(/AUTHORITY SECTION:\nexample\.com\.\s+60\s+IN\s+SOA\s+ns1\.example\.com\. hostmaster\.example\.com\. 2026113001/);
    const nodata = await dig(host, port, ['mx1.example.com', 'MX']);
    expect(nodata).toMatch(/status: NOERROR/);
    expect(nodata).toMatch(/ANSWER: 0, AUTHORITY: 1/);
    const refused = await dig(host, port, ['www.google.com', 'A']);
    expect(refused).toMatch(/status: REFUSED/);
    expect(refused).not.toMatch(/flags: qr aa/);
  });

  it('sets TC over UDP when the answer does not fit, and gives it whole over TCP', async () => {
    const truncated = await dig(host, port, ['+ignore', '+bufsize=512', 'big.example.com', 'TXT']);
    expect(truncated).toMatch(/flags: qr aa tc rd;/);
    expect(truncated).toMatch(/ANSWER: 0/);
    const noEdns = await dig(host, port, ['+ignore', '+noedns', 'big.example.com', 'TXT']);
    expect(noEdns).toMatch(/flags: qr aa tc rd;/);
    const whole = await dig(host, port, ['+tcp', '+noall', '+answer', 'big.example.com', 'TXT']);
    expect(answerLines(whole)).toHaveLength(2);
    expect(whole).toMatch(/"x{255}" "x{255}" "x{190}"/);
    // dig without +ignore retries over TCP by itself
    const retried = await dig(host, port, ['big.example.com', 'TXT']);
    expect(retried).toMatch(/Truncated, retrying in TCP mode/);
    expect(retried).toMatch(/ANSWER: 2/);
  });

  it('keeps the question case (0x20) through the fast path', async () => {
    for (let i = 0; i < 3; i++) {
      const reply = await udpExchange(host, port, rawQuery('mX1.eXaMpLe.CoM', TYPE.A, { id: 100 + i }));
      expect(reply).toBeDefined();
      const packet = Packet.parse(reply as Buffer);
      expect(packet.header.id).toBe(100 + i);
      expect(packet.questions[0]?.name).toBe('mX1.eXaMpLe.CoM');
      expect(packet.answers[0]).toMatchObject({ address: '192.0.2.11' });
      const other = await udpExchange(host, port, rawQuery('MX1.EXAMPLE.COM', TYPE.A, { id: 200 + i, flags: 0 }));
      expect(Packet.parse(other as Buffer).questions[0]?.name).toBe('MX1.EXAMPLE.COM');
      expect(Packet.parse(other as Buffer).header.rd).toBe(0);
    }
  });

  it('transfers the zone to an allowed address (AXFR, and IXFR answered in full)', async () => {
    const axfr = await dig(host, port, ['-b', '127.0.2.3', 'example.com', 'AXFR']);
    const records = answerLines(axfr);
    expect(records[0]?.[3]).toBe('SOA');
    expect(records[records.length - 1]?.[3]).toBe('SOA');
    expect(records.some((r) => r[0] === 'mx.example.com.' && r[3] === 'A')).toBe(true);
    expect(records.filter((r) => r[3] === 'MX')).toHaveLength(3);
    const ixfr = await dig(host, port, ['-b', '127.0.2.3', 'example.com', 'IXFR=2026113000']);
    expect(answerLines(ixfr).length).toBe(records.length);
    // a client already at the current serial gets the SOA alone (RFC 1995)
    const current = answerLines(await dig(host, port, ['-b', '127.0.2.3', 'example.com', 'IXFR=2026113001']));
    expect(current.map((r) => r[3])).toEqual(['SOA']);
  });

  it('refuses a zone transfer to any other address', async () => {
    const out = await dig(host, port, ['-b', '127.0.2.4', 'example.com', 'AXFR']);
    expect(out).toMatch(/Transfer failed|REFUSED/);
    expect(answerLines(out)).toHaveLength(0);
  });

  it('swaps the zone atomically and the SOA serial grows', async () => {
    const before = await dig(host, port, ['+short', 'example.com', 'SOA']);
    expect(before).toMatch(/ 2026113001 /);
    const changed = desired(cfg, health(cfg, { 'mx1.example.com': 'unhealthy' }), { serial: 2026113002, now: 0 });
    server.setZone(changed);
    expect(await dig(host, port, ['+short', 'example.com', 'SOA'])).toMatch(/ 2026113002 /);
    expect((await dig(host, port, ['+short', 'example.com', 'MX'])).trim().split('\n').sort()).toEqual(['10 mx2.example.com.', '10 mx3.example.com.']);
    expect((await dig(host, port, ['+short', 'mx1.example.com', 'A'])).trim()).toBe('');
    server.setZone(desired(cfg, allHealthy(cfg, 0), { serial: 2026113003, now: 0 }));
    expect((await dig(host, port, ['+short', 'mx1.example.com', 'A'])).trim()).toBe('192.0.2.11');
  });

  it('counts the queries it answered by type, rcode and transport, for metrics', async () => {
    const count = (type: string, rcode: string, transport: string) => server.queryCounts().find((c) => c.type === type && c.rcode === rcode && c.transport === transport)?.count ?? 0;
    expect(server.queryCounts().reduce((sum, c) => sum + c.count, 0)).toBeGreaterThan(10);
    for (const [type, rcode, transport] of [['A', 'NOERROR', 'udp'], ['MX', 'NOERROR', 'tcp'], ['A', 'NXDOMAIN', 'udp'], ['A', 'REFUSED', 'udp']]) expect(count(type as string, rcode as string, transport as string), `${type} ${rcode} ${transport}`).toBeGreaterThan(0);
    const before = count('TXT', 'NOERROR', 'udp');
    await dig(host, port, ['+short', 'example.com', 'TXT']);
    expect(count('TXT', 'NOERROR', 'udp')).toBe(before + 1);
  });

  it('reports where it listens', () => {
    expect(server.listening()).toEqual({ udp: [`127.0.2.1:${port}`], tcp: [`127.0.2.1:${port}`] });
  });
});

describe('nameserver on IPv6 and IPv4 at once', () => {
  it('answers over UDP and TCP on [::1] and 127.0.2.7', async () => {
    const both = dnsConfig('127.0.2.7:0', { listen: ['127.0.2.7:0', '[::1]:0'] });
    const { server: dual } = await startServer(both);
    try {
      dual.setZone(zoneOf(both));
      const { udp, tcp } = dual.listening();
      expect(udp).toHaveLength(2);
      expect(tcp).toHaveLength(2);
      const v6 = /^\[::1\]:(\d+)$/.exec(udp[1] as string);
      expect(v6).not.toBeNull();
      const v6port = Number(v6?.[1]);
      expect((await dig('::1', v6port, ['+short', 'mx1.example.com', 'A'])).trim()).toBe('192.0.2.11');
      expect((await dig('::1', v6port, ['+tcp', '+short', 'mx3.example.com', 'AAAA'])).trim()).toBe('2001:db8::13');
      const v4port = Number(/:(\d+)$/.exec(udp[0] as string)?.[1]);
      expect((await dig('127.0.2.7', v4port, ['+short', 'mx1.example.com', 'A'])).trim()).toBe('192.0.2.11');
    } finally {
      await dual.stop();
    }
  });

  it('resolves a host name in listen once, at start (the sockets themselves take literals only)', async () => {
    const named = dnsConfig('127.0.2.9:0', { listen: ['localhost:0'] });
    const { server: byName, port: p } = await startServer(named);
    try {
      byName.setZone(zoneOf(named));
      expect(byName.listening().udp).toEqual([`127.0.0.1:${p}`]);
      expect((await dig('127.0.0.1', p, ['+short', 'mx1.example.com', 'A'])).trim()).toBe('192.0.2.11');
    } finally {
      await byName.stop();
    }
  });

  it('answers SERVFAIL before the first zone arrives', async () => {
    const early = dnsConfig('127.0.2.8:0');
    const { server: idle, host: h, port: p } = await startServer(early);
    try {
      expect(await dig(h, p, ['mx1.example.com', 'A'])).toMatch(/status: SERVFAIL/);
    } finally {
      await idle.stop();
    }
  });
});

describe('TCP framing', () => {
  it('answers pipelined queries sent in one segment, FORMERR for garbage, and keeps the connection', async () => {
    const { connect } = await import('node:net');
    const frame = (msg: Buffer) => Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg]);
    const socket = connect({ host, port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
    });
    socket.write(Buffer.concat([
      frame(rawQuery('mx1.example.com', TYPE.A, { id: 1 })),
      frame(Buffer.from([0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1])), // pointer loop
      frame(rawQuery('example.com', TYPE.MX, { id: 3 })),
    ]));
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(3);
    socket.destroy();
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([1, 2, 3]);
    expect(replies.map((r) => (r[3] as number) & 0x0f)).toEqual([0, 1, 0]);
    expect(Packet.parse(replies[2] as Buffer).answers).toHaveLength(3);
  });
});
