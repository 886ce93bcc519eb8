// Real peers: the `smtp-server` npm package with and without STARTTLS; NODE_EXTRA_CA_CERTS honoured;
// and after 1,000 probes no socket or timer is left open. Loopback 127.0.1.40-49.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSmtp } from '../../src/probe/smtp.ts';
import type { ProbeOptions } from '../../src/probe/types.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';

const NAME = 'relay.example.test';
let pki: TestPki;
const servers: SMTPServer[] = [];

async function listen(server: SMTPServer, address: string): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  return (server.server.address() as { port: number }).port;
}

const options = (extra: Partial<ProbeOptions> = {}): ProbeOptions => ({ timeoutMs: 5000, helo: 'probe.example.com', starttls: 'optional', certMinDays: 7, verifyCert: true, ...extra });

beforeAll(() => {
  pki = makeTestPki();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  pki.cleanup();
});

describe('probeSmtp against smtp-server (npm)', () => {
  it('without STARTTLS: ok in clear text; required policy fails at starttls', async () => {
    const port = await listen(new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], disableReverseLookup: true, logger: false, banner: 'plain relay' }), '127.0.1.40');
    const target = { name: NAME, address: '127.0.1.40', port };
    const result = await probeSmtp(target, options());
    expect(result).toMatchObject({ ok: true, stage: 'quit', tls: undefined });
    expect(result.banner).toContain('plain relay');
    expect(result.extensions).toContain('PIPELINING');
    expect(await probeSmtp(target, options({ starttls: 'required' }))).toMatchObject({ ok: false, stage: 'starttls', reason: 'STARTTLS required but not offered' });
  });

  it('with STARTTLS and a test-CA certificate: ok, TLS 1.3, authorized', async () => {
    const leaf = pki.leaf(NAME);
    const port = await listen(new SMTPServer({ key: leaf.key, cert: leaf.cert, disabledCommands: ['AUTH'], disableReverseLookup: true, logger: false }), '127.0.1.41');
    const result = await probeSmtp({ name: NAME, address: '127.0.1.41', port }, options({ starttls: 'required', ca: pki.ca }));
    expect(result).toMatchObject({ ok: true, stage: 'quit' });
    expect(result.tls).toMatchObject({ protocol: 'TLSv1.3', authorized: true, error: null, san: [NAME] });
    // without our CA the chain is not trusted
    const untrusted = await probeSmtp({ name: NAME, address: '127.0.1.41', port }, options({ starttls: 'required' }));
    expect(untrusted).toMatchObject({ ok: false, stage: 'cert', reason: 'certificate not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('NODE_EXTRA_CA_CERTS is trusted without any CA option', async () => {
    const leaf = pki.leaf(NAME);
    const port = await listen(new SMTPServer({ key: leaf.key, cert: leaf.cert, disabledCommands: ['AUTH'], disableReverseLookup: true, logger: false }), '127.0.1.42');
    const smtp = fileURLToPath(new URL('../../src/probe/smtp.ts', import.meta.url));
    const script = `import { probeSmtp } from ${JSON.stringify(smtp)};
const r = await probeSmtp({ name: ${JSON.stringify(NAME)}, address: '127.0.1.42', port: ${port} }, { timeoutMs: 5000, helo: 'probe.example.com', starttls: 'required', certMinDays: 7, verifyCert: true });
process.stdout.write(JSON.stringify({ ok: r.ok, reason: r.reason, authorized: r.tls?.authorized }));`;
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caFile } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(JSON.parse(output)).toEqual({ ok: true, reason: '', authorized: true });
  });

  it('after 1,000 probes (ok and failing) no socket or timer is left open', async () => {
    const leaf = pki.leaf(NAME);
    const plainPort = await listen(new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], disableReverseLookup: true, logger: false, maxClients: 1000 }), '127.0.1.43');
    const tlsPort = await listen(new SMTPServer({ key: leaf.key, cert: leaf.cert, disabledCommands: ['AUTH'], disableReverseLookup: true, logger: false }), '127.0.1.44');
    const count = (kinds: string[]) => {
      const active = process.getActiveResourcesInfo();
      return Object.fromEntries(kinds.map((kind) => [kind, active.filter((name) => name === kind).length]));
    };
    const kinds = ['TCPSocketWrap', 'Timeout', 'TLSWrap'];
    const before = count(kinds);
    const targets = [
      { name: NAME, address: '127.0.1.43', port: plainPort }, // ok, clear text
      { name: NAME, address: '127.0.1.44', port: tlsPort }, // ok, STARTTLS
      { name: NAME, address: '127.0.1.45', port: plainPort }, // refused (nothing listens there)
      { name: 'wrong.example.test', address: '127.0.1.44', port: tlsPort }, // fails at cert
    ];
    let ok = 0;
    for (let round = 0; round < 25; round++) {
      const batch = Array.from({ length: 40 }, (_, i) => probeSmtp(targets[i % targets.length]!, options({ ca: pki.ca, timeoutMs: 10_000 })));
      ok += (await Promise.all(batch)).filter((r) => r.ok).length;
    }
    expect(ok).toBe(500);
    // server-side sockets close a moment after our QUIT; give them a beat, then compare
    const deadline = Date.now() + 5000;
    let after = count(kinds);
    const settled = () => kinds.every((kind) => (after[kind] ?? 0) <= (before[kind] ?? 0));
    while (Date.now() < deadline && !settled()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = count(kinds);
    }
    // nothing more than before (an unrelated timer of the test runner may have ended meanwhile)
    for (const kind of kinds) expect(after[kind], kind).toBeLessThanOrEqual(before[kind] ?? 0);
    expect(after.TCPSocketWrap).toBe(before.TCPSocketWrap);
  });
});
