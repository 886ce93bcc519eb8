// A reload's new nameserver.transfer applies to the running nameserver: the next AXFR is checked
// against the new allow list (dig as the peer, from two source addresses), and a secondary added to
// transfer.notify is notified of the current serial at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import type { DnsServer } from '../../src/dns/server.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { OPCODE } from '../../src/dns/constants.ts';
import { answerLines, dig, dnsConfig, startServer, zoneOf } from '../dns/helpers.ts';

const cfg = dnsConfig('127.113.3.1:0', { transfer: { allow: ['127.113.3.3'], notify: [] } });
let server: DnsServer;
let host: string;
let port: number;
let secondary: Socket;
const notified: string[] = [];

beforeAll(async () => {
  ({ server, host, port } = await startServer(cfg, { notifyDelays: [3000] })); // no retry within the test's windows
  server.setZone(zoneOf(cfg, 2026120501));
  secondary = createSocket('udp4');
  secondary.on('message', (msg, remote) => {
    const decoded = decodeQuery(msg);
    if (!decoded.ok || decoded.query.opcode !== OPCODE.NOTIFY) return;
    notified.push(`${decoded.query.question.lower.join('.')} from ${remote.address}`);
    const reply = Buffer.from(msg);
    reply[2] = (reply[2] as number) | 0x80;
    secondary.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => secondary.bind(0, '127.113.3.2', () => resolve()));
});
afterAll(async () => {
  await server.stop();
  secondary.close();
});

async function axfrFrom(source: string): Promise<string> {
  return dig(host, port, ['-b', source, 'example.com', 'AXFR']);
}

describe('nameserver: transfer settings from a reload', () => {
  it('moves AXFR permission from one address to another', async () => {
    expect(answerLines(await axfrFrom('127.113.3.3')).length).toBeGreaterThan(5);
    expect(await axfrFrom('127.113.3.4')).toMatch(/Transfer failed|REFUSED/);
    server.setTransfer({ allow: ['127.113.3.4'], notify: [] });
    expect(answerLines(await axfrFrom('127.113.3.4')).length).toBeGreaterThan(5);
    expect(await axfrFrom('127.113.3.3')).toMatch(/Transfer failed|REFUSED/);
  });

  it('notifies a secondary added to transfer.notify of the current serial, from the nameserver address', async () => {
    expect(notified).toEqual([]);
    server.setTransfer({ allow: ['127.113.3.4'], notify: [`127.113.3.2:${secondary.address().port}`] });
    const deadline = Date.now() + 5000;
    while (notified.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(notified).toEqual(['example.com from 127.113.3.1']);
    // the same targets again (a reload changing something else): no second NOTIFY
    server.setTransfer({ allow: [], notify: [`127.113.3.2:${secondary.address().port}`] });
    await new Promise((r) => setTimeout(r, 300));
    expect(notified).toHaveLength(1);
  });
});
