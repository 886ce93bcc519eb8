// NOTIFY on serial change (retried until acknowledged) and worker processes sharing the UDP port.
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import dns2 from 'dns2';
import { decodeQuery } from '../../src/dns/query.ts';
import { OPCODE, TYPE } from '../../src/dns/constants.ts';
import type { DnsServer } from '../../src/dns/server.ts';
import { desired } from '../../src/desired.ts';
import { dig, dnsConfig, run, startServer, udpExchange, zoneOf } from './helpers.ts';
import { rawQuery } from './packets.ts';
import { health } from '../desired/fixtures.ts';

const { Packet } = dns2 as unknown as { Packet: { parse(buf: Buffer): { answers: { address?: string }[] } } };

let running: DnsServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A fake secondary: records NOTIFYs; ignores the first `ignore` of them, acknowledges the rest. */
async function fakeSecondary(ignore: number) {
  const socket = createSocket('udp4');
  const received: { serialAsked: string; from: string; at: number }[] = [];
  socket.on('message', (msg, remote) => {
    const decoded = decodeQuery(msg);
    if (!decoded.ok || decoded.query.opcode !== OPCODE.NOTIFY) return;
    received.push({ serialAsked: decoded.query.question.lower.join('.'), from: remote.address, at: Date.now() });
    if (received.length <= ignore) return;
    const reply = Buffer.from(msg.subarray(0, msg.length));
    reply[2] = (reply[2] as number) | 0x80; // QR
    socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.2.2', () => resolve()));
  return { socket, received, port: socket.address().port };
}

describe('NOTIFY', () => {
  it('is sent from the nameserver address on every serial change and retried until acknowledged', async () => {
    const secondary = await fakeSecondary(2);
    const cfg = dnsConfig('127.0.2.6:0', { transfer: { allow: [], notify: [`127.0.2.2:${secondary.port}`] } });
    const { server } = await startServer(cfg, { notifyDelays: [100, 100, 100, 100] });
    running = server;
    server.setZone(zoneOf(cfg, 10));
    await expect.poll(() => secondary.received.length, { timeout: 10_000 }).toBe(3); // two ignored, the third acknowledged
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(secondary.received).toHaveLength(3); // acknowledged: no more retries
    expect(secondary.received.every((r) => r.serialAsked === 'example.com' && r.from === '127.0.2.6')).toBe(true);

    server.setZone(zoneOf(cfg, 10)); // same serial: no NOTIFY
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondary.received).toHaveLength(3);
    server.setZone(zoneOf(cfg, 11));
    await expect.poll(() => secondary.received.length, { timeout: 5000 }).toBe(4);
    secondary.socket.close();
  });

  it('a zone set before start() is notified once the sockets are up', async () => {
    const secondary = await fakeSecondary(0);
    const cfg = dnsConfig('127.0.2.6:0', { transfer: { allow: [], notify: [`127.0.2.2:${secondary.port}`] } });
    const { DnsServer } = await import('../../src/dns/server.ts');
    const { silentLogger } = await import('../../src/log.ts');
    const server = new DnsServer({ nameserver: cfg.nameserver as NonNullable<typeof cfg.nameserver>, zone: cfg.zone, logger: silentLogger });
    running = server;
    server.setZone(zoneOf(cfg, 20));
    await server.start();
    await expect.poll(() => secondary.received.length, { timeout: 5000 }).toBe(1);
    secondary.socket.close();
  });
});

describe('workers', () => {
  it('several processes answer on one UDP port, and each gets every zone change', async () => {
    const cfg = dnsConfig('127.0.2.5:0', { workers: 3 });
    const { server, host, port } = await startServer(cfg);
    running = server;
    server.setZone(zoneOf(cfg, 1));
    const children = (await run('pgrep', ['-P', String(process.pid), '-f', 'worker.ts'])).stdout.trim().split('\n');
    expect(children).toHaveLength(2); // workers: 3 = this process + 2 worker processes
    // many source ports so the kernel's SO_REUSEPORT hash spreads them over the processes
    const ask = async () => {
      const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => udpExchange(host, port, rawQuery('mx1.example.com', TYPE.A, { id: i }))));
      return replies.map((r) => (r ? (Packet.parse(r).answers[0]?.address ?? 'none') : 'timeout'));
    };
    await expect.poll(async () => new Set(await ask()), { timeout: 10_000 }).toEqual(new Set(['192.0.2.11']));
    server.setZone(desired(cfg, health(cfg, { 'mx1.example.com': 'unhealthy' }), { serial: 2, now: 0 }));
    await expect.poll(async () => new Set(await ask()), { timeout: 10_000 }).toEqual(new Set(['none']));
    expect(await dig(host, port, ['+tcp', '+short', 'example.com', 'SOA'])).toMatch(/ 2 3600 /);
    // worker answers reach the metrics through IPC within about a second
    await expect.poll(() => server.queryCounts().reduce((sum, c) => sum + c.count, 0), { timeout: 5000 }).toBeGreaterThanOrEqual(120);
  });
});
