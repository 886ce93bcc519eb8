// TSIG secrets come from the environment and are checked when serve starts: an unset variable or a
// secret that is not base64 of a sensible length stops serve with FILE:LINE:COL of the key, never
// repeating the value; secrets never reach a log line (redaction, and keys that do not carry their
// secret into JSON). And end to end: `serve` with the key from its environment answers dig -y
// AXFR and IXFR=serial (incremental after a host died), refuses the unsigned request.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { tsigKeysFromEnv } from '../../src/daemon/tsig-secrets.ts';
import { REDACTED } from '../../src/log.ts';
import { MxpoolError } from '../../src/errors.ts';
import { digSerial, startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import { answerLines, run } from '../dns/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SECRET = 'dKUvPmanlLDYZMZ0vZynUas69Dd84IlZxjV9YeIOpp8=';
const tsig = [{ name: 'xfr-key', algorithm: 'hmac-sha256' as const, secretEnv: 'MXPOOL_TSIG_TEST' }];

function serveWith(env: Record<string, string | undefined>): Promise<{ code: number; stderr: string; file: string }> {
  const dir = tempDir('mxpool-tsig-start-');
  const file = join(dir, 'mxpool.yaml');
  const base = testConfig({ addresses: ['127.16.0.41'], dns: '127.16.0.40:5316', http: '127.16.0.40:8116' }, [2525]);
  const nameserver = { ...(base.nameserver as Record<string, unknown>), tsig, transfer: { allow: [{ address: '127.16.0.42', key: 'xfr-key' }] } };
  writeFileSync(file, stringify({ ...base, nameserver, stateDir: join(dir, 'state') }));
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli.ts', 'serve', '--config', file], { env: { ...process.env, ...env }, timeout: 80_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr, file });
    });
  });
}

describe('TSIG secrets at serve start', () => {
  it('an unset variable stops serve with FILE:LINE:COL of nameserver.tsig.0.secretEnv', async () => {
    const result = await serveWith({ MXPOOL_TSIG_TEST: undefined });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/mxpool\.yaml:\d+:\d+: nameserver\.tsig\.0\.secretEnv: the environment variable MXPOOL_TSIG_TEST is not set; serve needs it for the secret of TSIG key xfr-key/);
  });

  it.each([
    [{}, /MXPOOL_TSIG_TEST is not set/],
    [{ MXPOOL_TSIG_TEST: '' }, /MXPOOL_TSIG_TEST is not set/],
    [{ MXPOOL_TSIG_TEST: 'c2hvcnQ=' }, /decodes to 5 octets; a TSIG secret needs at least 16/],
    [{ MXPOOL_TSIG_TEST: 'AAAA====' }, /is not valid base64/],
    [{ MXPOOL_TSIG_TEST: 'hunter2-is-not-base64!' }, /^nameserver\.tsig\.0\.secretEnv: the secret of TSIG key xfr-key in MXPOOL_TSIG_TEST is not valid base64[^!]*$/],
  ])('%j: %s', (env, message) => {
    const error = (() => {
      try {
        tsigKeysFromEnv({ tsig }, env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MxpoolError);
    expect((error as MxpoolError).origin).toBe('nameserver.tsig.0.secretEnv');
    expect((error as MxpoolError).fatal).toBe(true);
    expect((error as MxpoolError).message).toMatch(message);
  });

  it('a good secret becomes a key whose secret stays out of JSON and out of log lines', () => {
    const keys = tsigKeysFromEnv({ tsig }, { MXPOOL_TSIG_TEST: `  ${SECRET}\n` });
    const key = keys.get('xfr-key');
    expect(key?.secret.toString('base64')).toBe(SECRET);
    expect(JSON.stringify([...keys.values()])).not.toContain('secret');
    const lines: string[] = [];
    const logger = pino({ redact: { paths: REDACTED, censor: '[secret]' } }, { write: (line: string) => void lines.push(line) });
    logger.info({ key, keys: [...keys.values()] }, 'a key object logged by mistake');
    logger.info({ secret: SECRET, tsig: [{ secret: SECRET }], nested: { secret: SECRET } }, 'a secret logged by mistake');
    expect(lines.join('')).not.toContain(SECRET);
    expect(lines.join('')).not.toContain(Buffer.from(SECRET, 'base64').toString('hex'));
    expect(lines[1]).toContain('[secret]');
  });
});

describe('serve with a TSIG key from its environment', () => {
  let d: TestDaemon | undefined;
  afterAll(async () => {
    await d?.close();
    delete process.env.MXPOOL_TSIG_TEST;
  });

  it('answers dig -y AXFR and IXFR=serial from the keyed address, incrementally after a host died; unsigned is refused', { timeout: 120_000 }, async () => {
    process.env.MXPOOL_TSIG_TEST = SECRET; // the daemon inherits the test's environment
    const base = testConfig({ addresses: ['127.16.0.51', '127.16.0.52'], dns: '127.16.0.50:5316', http: '127.16.0.50:8116' }, [0, 0]);
    const nameserver = { ...(base.nameserver as Record<string, unknown>), tsig, transfer: { allow: [{ address: '127.16.0.53', key: 'xfr-key' }], notify: [] } };
    d = await startTestDaemon({ addresses: ['127.16.0.51', '127.16.0.52'], dns: '127.16.0.50:5316', http: '127.16.0.50:8116', extra: { nameserver } });
    const daemon = d;
    await waitFor('both hosts in DNS', async () => (await daemon.dig('mx.example.com', 'A')).length === 2, 60_000);
    const before = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    const xfr = async (...args: string[]) => {
      const { stdout } = await run('dig', ['@127.16.0.50', '-p', '5316', '-b', '127.16.0.53', '+tries=3', '+time=5', ...args]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
      return stdout;
    };
    const key = `hmac-sha256:xfr-key:${SECRET}`;
    const axfr = await xfr('-y', key, 'example.com', 'AXFR');
    expect(axfr).not.toMatch(/Transfer failed|could not be validated|Couldn't verify/);
    expect(answerLines(axfr).filter((r) => r[3] === 'SOA')).toHaveLength(2);
    expect(await xfr('example.com', 'AXFR')).toMatch(/Transfer failed/);

    await d.hosts[1]!.kill('SIGKILL');
    await waitFor('mx2 out of DNS', async () => (await daemon.dig('mx.example.com', 'A')).length === 1, 60_000);
    const after = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    expect(after).toBeGreaterThan(before);
    const ixfr = await xfr('-y', key, 'example.com', `IXFR=${before}`, '+tcp');
    expect(ixfr).not.toMatch(/Transfer failed|could not be validated|Couldn't verify/);
    const soas = answerLines(ixfr).filter((r) => r[3] === 'SOA').map((r) => Number(r[6]));
    expect(soas[0]).toBe(after);
    expect(soas).toContain(before); // incremental: the old SOA frames the deletions
    expect(answerLines(ixfr).filter((r) => r[3] === 'A').map((r) => r[0])).toContain('mx2.example.com.');
    expect(d.logs()).toMatch(/"form":"ixfr-incremental"/);
    expect(d.logs()).not.toContain(SECRET);
  });
});
