// A real Postfix from Debian as the probe target: passes with STARTTLS and its self-signed
// certificate trusted via the CA option; after `postfix stop` the probe fails at `connect`, and a
// runner holding a session to it withdraws the host at once. 127.0.1.60-69.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { ProbeRunner, type TransitionEvent } from '../../src/probe/runner.ts';
import { probeSmtp } from '../../src/probe/smtp.ts';
import type { ProbeOptions, ProbeResult } from '../../src/probe/types.ts';
import { postfixUnavailable, startPostfix, type PostfixInstance } from '../helpers/smtp/postfix.ts';

const unavailable = postfixUnavailable();
const HOST = 'mx1.example.com';
const ADDRESS = '127.0.1.60';
const PORT = 25;

describe.skipIf(unavailable !== undefined)(`probe against a real Postfix${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let postfix: PostfixInstance;

  beforeAll(async () => {
    postfix = await startPostfix(ADDRESS, PORT, HOST);
  }, 30_000);

  afterAll(async () => {
    await postfix?.cleanup();
  });

  const options = (extra: Partial<ProbeOptions> = {}): ProbeOptions => ({ timeoutMs: 5000, helo: 'probe.example.com', starttls: 'required', certMinDays: 7, verifyCert: true, ca: postfix.cert, ...extra });

  it('passes: 220 greeting, EHLO, STARTTLS with the self-signed certificate trusted, QUIT', async () => {
    const result = await probeSmtp({ name: HOST, address: ADDRESS, port: PORT }, options());
    expect(result).toMatchObject({ ok: true, stage: 'quit', reason: '' });
    expect(result.banner).toBe(`${HOST} ESMTP mxpool-test`);
    expect(result.extensions).toContain('PIPELINING');
    expect(result.extensions).not.toContain('STARTTLS'); // the EHLO after TLS
    expect(result.tls).toMatchObject({ authorized: true, error: null, subject: HOST, san: [HOST] });
    expect(result.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('without trusting its certificate the probe says why', async () => {
    const result = await probeSmtp({ name: HOST, address: ADDRESS, port: PORT }, options({ ca: undefined }));
    expect(result).toMatchObject({ ok: false, stage: 'cert', reason: 'certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('a held session notices `postfix stop` and the host is withdrawn at once; then the probe fails at connect', async () => {
    const config = parseConfig(`zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: ${HOST}, address: ${ADDRESS}, port: ${PORT} }
probe: { interval: 10m, timeout: 5s, fall: 2, hold: true, starttls: required }
`);
    const runner = new ProbeRunner({ config, logger: silentLogger, ca: postfix.cert });
    const probes: ProbeResult[] = [];
    const transitions: TransitionEvent[] = [];
    runner.on('probe', (_host, result) => probes.push(result));
    runner.on('transition', (event) => transitions.push(event));
    try {
      runner.start();
      const until = async (condition: () => boolean, ms: number) => {
        const deadline = Date.now() + ms;
        while (!condition()) {
          if (Date.now() > deadline) throw new Error(`timed out; probes: ${JSON.stringify(probes.map((p) => p.reason))}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      await until(() => runner.snapshot().get(HOST)?.state === 'healthy', 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the held session's EHLO
      await postfix.stop();
      // the interval is 10 minutes: only the held session and fast fall can withdraw it this soon
      await until(() => runner.snapshot().get(HOST)?.state === 'unhealthy', 10_000);
      expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['unhealthy->healthy', 'healthy->unhealthy']);
      expect(probes.at(-1)).toMatchObject({ ok: false, stage: 'connect', reason: 'connection refused', refused: true });
    } finally {
      await runner.stop();
    }
    const after = await probeSmtp({ name: HOST, address: ADDRESS, port: PORT }, options());
    expect(after).toMatchObject({ ok: false, stage: 'connect', reason: 'connection refused' });
  });
});
