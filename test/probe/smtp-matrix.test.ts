// The misbehaving-server matrix: one scripted server per behaviour, each with the expected stage and
// reason. Loopback 127.0.1.10-39 (this area's range), ephemeral ports.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSmtp } from '../../src/probe/smtp.ts';
import type { ProbeOptions, ProbeResult } from '../../src/probe/types.ts';
import { esmtp, scriptedServer, type Behaviour, type ScriptedServer } from '../helpers/smtp/scripted-server.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';

const NAME = 'mx.example.test';
let pki: TestPki;
const servers: ScriptedServer[] = [];

beforeAll(() => {
  pki = makeTestPki();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  pki.cleanup();
});

let nextAddress = 10;
async function serve(behaviour: Behaviour): Promise<ScriptedServer> {
  const server = await scriptedServer(`127.0.1.${nextAddress++}`, behaviour);
  servers.push(server);
  return server;
}

function options(extra: Partial<ProbeOptions> = {}): ProbeOptions {
  return { timeoutMs: 3000, helo: 'probe.example.com', starttls: 'optional', certMinDays: 7, verifyCert: true, ca: pki.ca, ...extra };
}

async function probe(server: ScriptedServer, extra: Partial<ProbeOptions> = {}, name = NAME): Promise<ProbeResult> {
  return probeSmtp({ name, address: server.address, port: server.port }, options(extra));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('probeSmtp against misbehaving servers', () => {
  it('connection refused -> connect, refused', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.1.39', () => resolve()));
    const port = (holder.address() as { port: number }).port;
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    const result = await probeSmtp({ name: NAME, address: '127.0.1.39', port }, options());
    expect(result).toMatchObject({ ok: false, stage: 'connect', reason: 'connection refused', refused: true, code: null });
  });

  it('accepts, then silence -> greeting, timed out (the one deadline)', async () => {
    const server = await serve(() => undefined);
    const result = await probe(server, { timeoutMs: 800 });
    expect(result).toMatchObject({ ok: false, stage: 'greeting', reason: 'timed out after 800 ms waiting for the greeting' });
    expect(result.refused).toBeUndefined();
  });

  it('554 greeting -> greeting, with the code and text; we still say QUIT', async () => {
    let quitSeen = false;
    const server = await serve(async (c) => {
      c.send('554 5.3.2 mx.example.test no SMTP service here\r\n');
      quitSeen = (await c.readLine()) === 'QUIT';
      c.send('221 bye\r\n');
      c.close();
    });
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'greeting', code: 554, reason: 'greeting 554 5.3.2 mx.example.test no SMTP service here' });
    expect(result.banner).toBe('5.3.2 mx.example.test no SMTP service here');
    expect(quitSeen).toBe(true);
  });

  it('421 greeting -> greeting', async () => {
    const server = await serve((c) => {
      c.send('421 4.3.2 Service shutting down\r\n');
      c.close();
    });
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'greeting', code: 421, reason: 'greeting 421 4.3.2 Service shutting down' });
  });

  it('multi-line greeting -> ok', async () => {
    const server = await serve(esmtp({ greeting: '220-mx.example.test ESMTP\r\n220-no UCE\r\n220 ready\r\n' }));
    const result = await probe(server, { starttls: 'off' });
    expect(result).toMatchObject({ ok: true, stage: 'quit', reason: '', banner: 'mx.example.test ESMTP' });
    expect(result.extensions).toEqual(['PIPELINING', 'SIZE 10240000', '8BITMIME']);
  });

  it('EHLO rejected (502), HELO accepted -> ok without extensions', async () => {
    const commands: string[] = [];
    const server = await serve(esmtp({ ehloReply: '502 5.5.2 EHLO not implemented', onCommand: (line) => (commands.push(line), false) }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: true, stage: 'quit', extensions: [], tls: undefined });
    expect(commands).toEqual(['EHLO probe.example.com', 'HELO probe.example.com', 'QUIT']);
  });

  it('EHLO and HELO both rejected -> ehlo', async () => {
    const server = await serve(esmtp({ ehloReply: '500 5.5.1 no', onCommand: (line, c) => (line.startsWith('HELO') ? (c.send('550 5.7.1 go away\r\n'), true) : false) }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'ehlo', reason: 'EHLO 500 5.5.1 no; HELO 550 5.7.1 go away' });
  });

  it('STARTTLS required but not offered -> starttls', async () => {
    const server = await serve(esmtp());
    const result = await probe(server, { starttls: 'required' });
    expect(result).toMatchObject({ ok: false, stage: 'starttls', reason: 'STARTTLS required but not offered' });
  });

  it('STARTTLS optional and not offered -> ok in clear text', async () => {
    const server = await serve(esmtp());
    expect(await probe(server, { starttls: 'optional' })).toMatchObject({ ok: true, tls: undefined });
  });

  it('STARTTLS refused with 454 -> starttls', async () => {
    const server = await serve(esmtp({ extensions: ['STARTTLS'], onCommand: (line, c) => (line === 'STARTTLS' ? (c.send('454 4.7.0 TLS not available\r\n'), true) : false) }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'starttls', code: 454, reason: 'STARTTLS refused: 454 4.7.0 TLS not available' });
  });

  it('TLS handshake answered with garbage -> tls', async () => {
    const server = await serve(esmtp({
      extensions: ['STARTTLS'],
      onCommand: (line, c) => {
        if (line !== 'STARTTLS') return false;
        c.send('220 go ahead\r\n');
        setTimeout(() => c.send(Buffer.from('this is not a TLS server hello, just text\r\n'.repeat(4))), 20);
        return true;
      },
    }));
    const result = await probe(server);
    expect(result.ok).toBe(false);
    expect(result.stage).toBe('tls');
    expect(result.reason).toMatch(/^TLS handshake failed: .*(wrong version number|packet length too long|record layer failure)/i);
  });

  it('plaintext injected after the STARTTLS reply -> starttls (refuses to continue)', async () => {
    const server = await serve(esmtp({ extensions: ['STARTTLS'], onCommand: (line, c) => (line === 'STARTTLS' ? (c.send('220 ready\r\n250 injected\r\n'), true) : false) }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'starttls', reason: 'data after the STARTTLS reply, before the TLS handshake' });
  });

  it('expired certificate -> cert, even with verifyCert false', async () => {
    const server = await serve(esmtp({ tls: pki.expired(NAME) }));
    for (const verifyCert of [true, false]) {
      const result = await probe(server, { verifyCert });
      expect(result).toMatchObject({ ok: false, stage: 'cert' });
      expect(result.reason).toMatch(/^certificate expired on 2021-01-01 \(\d+ days ago\)$/);
      expect(result.tls?.validTo).toBe('2021-01-01T00:00:00.000Z');
      expect(result.tls?.daysLeft).toBeLessThan(0);
    }
  });

  it('certificate expiring inside certMinDays -> cert', async () => {
    const server = await serve(esmtp({ tls: pki.leaf(NAME, { days: 3 }) }));
    const result = await probe(server, { certMinDays: 7 });
    expect(result).toMatchObject({ ok: false, stage: 'cert' });
    expect(result.reason).toMatch(/^certificate expires in 2 days \(\d{4}-\d\d-\d\d\), under certMinDays 7$/);
    expect(result.tls?.authorized).toBe(true);
    // with certMinDays 1 the same certificate passes
    expect(await probe(server, { certMinDays: 1 })).toMatchObject({ ok: true });
  });

  it('certificate for another name -> cert, name mismatch; reported but ok with verifyCert false', async () => {
    const server = await serve(esmtp({ tls: pki.leaf('other.example.test') }));
    const strict = await probe(server);
    expect(strict).toMatchObject({ ok: false, stage: 'cert', reason: 'certificate name mismatch: mx.example.test is not in the certificate (other.example.test)' });
    expect(strict.tls?.san).toEqual(['other.example.test']);
    const lax = await probe(server, { verifyCert: false });
    expect(lax).toMatchObject({ ok: true, stage: 'quit' });
    expect(lax.tls?.error).toContain('name mismatch');
  });

  it('self-signed certificate -> cert, not trusted (unless the CA file trusts it)', async () => {
    const pair = pki.selfSigned(NAME);
    const server = await serve(esmtp({ tls: pair }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'cert', reason: 'certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(await probe(server, { ca: pair.cert })).toMatchObject({ ok: true });
  });

  it('valid leaf under an expired intermediate -> cert, not trusted', async () => {
    const server = await serve(esmtp({ tls: pki.viaExpiredIntermediate(NAME) }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'cert', reason: 'certificate not trusted: CERT_HAS_EXPIRED' });
    expect(result.tls?.daysLeft).toBeGreaterThan(300);
  });

  it('binary garbage -> greeting, not an SMTP reply', async () => {
    const server = await serve((c) => c.send(Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x41, 0x42, 0x0d, 0x0a, 0x99, 0x88])));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'greeting', reason: 'not an SMTP reply: "\\x00\\xff\\xfe\\x13AB"' });
  });

  it('slow drip, one byte every 500 ms -> greeting, fails by the deadline', async () => {
    const server = await serve(async (c) => {
      for (const byte of '220 mx.example.test ESMTP slowly\r\n') {
        if (c.closed) return;
        c.send(byte);
        await sleep(500);
      }
    });
    const result = await probe(server, { timeoutMs: 1500 });
    expect(result).toMatchObject({ ok: false, stage: 'greeting', reason: 'timed out after 1500 ms waiting for the greeting' });
    expect(result.ms).toBeLessThan(10_000); // the deadline ended it, not the 17 s drip
  });

  it('1 MiB greeting without a line end -> greeting, line limit', async () => {
    const server = await serve((c) => c.send(Buffer.alloc(1024 * 1024, 0x41)));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'greeting', reason: 'reply line longer than 4096 octets' });
  });

  it('a 70 KiB multi-line EHLO reply -> ehlo, reply limit', async () => {
    const server = await serve(esmtp({ extensions: Array.from({ length: 1200 }, (_, i) => `X-FILLER-${i} ${'z'.repeat(50)}`) }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'ehlo', reason: 'reply longer than 65536 octets' });
  });

  it('reset during EHLO -> ehlo, connection reset, refused (fast fall)', async () => {
    const server = await serve(esmtp({ onCommand: (line, c) => (line.startsWith('EHLO') ? (c.reset(), true) : false) }));
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'ehlo', reason: 'connection reset by the server', refused: true });
  });

  it('closed without a word after connect -> greeting, closed, refused', async () => {
    const server = await serve((c) => c.close());
    const result = await probe(server);
    expect(result).toMatchObject({ ok: false, stage: 'greeting', reason: 'connection closed by the server waiting for the greeting', refused: true });
  });

  it('healthy server with STARTTLS and a certificate from the test CA -> ok, with TLS details and SNI', async () => {
    let sni: string | undefined;
    const tls = pki.leaf(NAME);
    const behaviour = esmtp({ tls, onCommand: (line, c) => ((sni = c.servername ?? sni), false) });
    const server = await serve(behaviour);
    const result = await probe(server);
    expect(result).toMatchObject({ ok: true, stage: 'quit', reason: '', code: 250 });
    expect(result.tls).toMatchObject({ protocol: 'TLSv1.3', authorized: true, error: null, subject: NAME, san: [NAME] });
    expect(result.tls?.daysLeft).toBeGreaterThanOrEqual(363);
    expect(result.extensions).not.toContain('STARTTLS'); // the second EHLO, over TLS
    expect(sni).toBe(NAME);
    // policy off: no TLS at all
    expect(await probe(server, { starttls: 'off' })).toMatchObject({ ok: true, tls: undefined });
  });

  it('certMinDays is judged against the injected clock', async () => {
    const server = await serve(esmtp({ tls: pki.leaf(NAME, { days: 30 }) }));
    const in25days = Date.now() + 25 * 86_400_000;
    const result = await probe(server, { now: () => in25days });
    expect(result.stage).toBe('cert');
    expect(result.reason).toMatch(/^certificate expires in [45] days/);
  });
});
