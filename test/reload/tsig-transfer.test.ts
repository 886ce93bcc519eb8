// A reload's keyed transfer.allow / transfer.notify entries apply to the running nameserver with the
// keys loaded at start: an address moved from "address alone" to "address and key" must sign from
// the next request on (dig -y as the peer), and a secondary added with a key gets a NOTIFY signed
// with it, whose signature a fake secondary verifies with the same TSIG code a real one would use
// (the real secondaries' side is test/dns/secondaries.test.ts). nameserver.tsig itself and
// nameserver.journal need a restart (test/reload/diff.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { DnsServer } from '../../src/dns/server.ts';
import { keyring } from '../../src/dns/tsig/keys.ts';
import { verifyRequest } from '../../src/dns/tsig/verify.ts';
import { signAnswer } from '../../src/dns/tsig/respond.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { OPCODE } from '../../src/dns/constants.ts';
import { silentLogger } from '../../src/log.ts';
import type { Config } from '../../src/config/schema.ts';
import { answerLines, dig, dnsConfig, zoneOf } from '../dns/helpers.ts';

const SERVER = '127.16.2.1';
const SECONDARY = '127.16.2.2';
const PEER = '127.16.2.3';
const secret = randomBytes(32);
const keys = keyring([{ name: 'xfr', algorithm: 'hmac-sha256', secret }]);
const withKey = `hmac-sha256:xfr:${secret.toString('base64')}`;
const cfg = dnsConfig(`${SERVER}:0`, { tsig: [{ name: 'xfr', algorithm: 'hmac-sha256', secretEnv: 'UNUSED' }], transfer: { allow: [PEER], notify: [] } });

let server: DnsServer;
let port: number;
let secondary: Socket;
const notifies: { signed: string; from: string }[] = [];

beforeAll(async () => {
  server = new DnsServer({ nameserver: cfg.nameserver as NonNullable<Config['nameserver']>, zone: cfg.zone, logger: silentLogger, keys, notifyDelays: [3000] });
  await server.start();
  server.setZone(zoneOf(cfg, 2026120701));
  port = Number(/:(\d+)$/.exec(server.listening().udp[0] as string)?.[1]);
  secondary = createSocket('udp4');
  secondary.on('message', (msg, remote) => {
    const decoded = decodeQuery(msg);
    if (!decoded.ok || decoded.query.opcode !== OPCODE.NOTIFY) return;
    const check = verifyRequest(msg, keys, Math.floor(Date.now() / 1000));
    notifies.push({ signed: check.status, from: remote.address });
    // answer as a secondary does: the request without its TSIG, as a response, signed over its MAC
    if (check.status !== 'ok') return;
    const reply = Buffer.from(msg.subarray(0, check.at));
    reply[2] = (reply[2] as number) | 0x80;
    reply.writeUInt16BE(reply.readUInt16BE(10) - 1, 10);
    secondary.send(signAnswer(reply, check, Math.floor(Date.now() / 1000)), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => secondary.bind(0, SECONDARY, () => resolve()));
});

afterAll(async () => {
  await server?.stop();
  secondary?.close();
});

const axfr = (...extra: string[]) => dig(SERVER, port, ['-b', PEER, ...extra, 'example.com', 'AXFR']);

describe('nameserver: keyed transfer settings from a reload', () => {
  it('an address that gains a key must sign from the next request on, and loses the need when it loses the key', async () => {
    expect(answerLines(await axfr()).length).toBeGreaterThan(5);
    server.setTransfer({ allow: [{ address: PEER, key: 'xfr' }], notify: [] });
    expect(await axfr()).toMatch(/Transfer failed/);
    const signed = await axfr('-y', withKey);
    expect(signed).not.toMatch(/Transfer failed|could not be validated|Couldn't verify/);
    expect(answerLines(signed).filter((r) => r[3] === 'SOA')).toHaveLength(2);
    server.setTransfer({ allow: [PEER], notify: [] });
    expect(answerLines(await axfr()).length).toBeGreaterThan(5);
  });

  it('a secondary added with a key gets a NOTIFY signed with it', async () => {
    server.setTransfer({ allow: [PEER], notify: [{ address: `${SECONDARY}:${secondary.address().port}`, key: 'xfr' }] });
    await expect.poll(() => notifies, { timeout: 15_000 }).toEqual([{ signed: 'ok', from: SERVER }]);
  });

  it('a key name the loaded keys do not have is a programming error, not a silent unsigned transfer', () => {
    expect(() => server.setTransfer({ allow: [{ address: PEER, key: 'other' }], notify: [] })).toThrow(/TSIG key other/);
    // and the previous settings stay
    expect(notifies).toHaveLength(1);
  });
});
