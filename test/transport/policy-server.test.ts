// The MTA-STS policy server against curl and openssl: status, media type, body, refusals, and the
// certificate reloaded when its files change (renewals) — a broken new pair keeps the old one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { MtaStsServer } from '../../src/http/mta-sts.ts';
import { MxpoolError } from '../../src/errors.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import { run, until } from './helpers.ts';

const HOST = 'mta-sts.example.com';
const ADDRESS = '127.18.0.10';
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n';

let pki: TestPki;
let server: MtaStsServer;
let port: number;
let certFile: string;
let keyFile: string;
const logs: Array<{ msg: string }> = [];

/** curl -i with the test CA; `host` is the name curl connects to (and sends as Host and SNI). */
function curl(path: string, extra: string[] = [], host = HOST) {
  return run('curl', ['-sS', '-i', '--max-time', '5', '--cacert', pki.caFile, '--resolve', `${host}:${port}:${ADDRESS}`, ...extra, `https://${host}:${port}${path}`]);
}

async function servedSerial(): Promise<string> {
  const { stdout } = await run('sh', ['-c', `openssl s_client -connect ${ADDRESS}:${port} -servername ${HOST} </dev/null 2>/dev/null | openssl x509 -noout -serial`]);
  return stdout.trim();
}

beforeAll(async () => {
  pki = makeTestPki();
  const pair = pki.leaf(HOST);
  certFile = join(pki.dir, 'served.pem');
  keyFile = join(pki.dir, 'served.key');
  copyFileSync(pair.certFile, certFile);
  copyFileSync(pair.keyFile, keyFile);
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _encoding, done) { logs.push(JSON.parse(String(chunk))); done(); } }));
  server = new MtaStsServer({ listen: `${ADDRESS}:443`, certFile, keyFile, host: HOST, policy: () => POLICY, logger, reloadCheckMs: 50 });
  port = (await server.start()).port;
});

afterAll(async () => {
  await server?.stop();
  pki?.cleanup();
});

const statusOf = (head: string) => Number(/^HTTP\/\S+ (\d{3})/.exec(head)?.[1]);
const header = (head: string, name: string) => new RegExp(`^${name}: (.*)\r$`, 'im').exec(head)?.[1];
const split = (text: string) => {
  const at = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, at), body: text.slice(at + 4) };
};

describe('the MTA-STS policy over HTTPS', () => {
  it('serves the policy as text/plain, byte for byte with its CRLF lines', async () => {
    const { code, stdout, stderr } = await curl('/.well-known/mta-sts.txt');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { head, body } = split(stdout);
    expect(statusOf(head)).toBe(200);
    expect(header(head, 'content-type')).toBe('text/plain');
    expect(header(head, 'content-length')).toBe(String(POLICY.length));
    expect(header(head, 'location')).toBeUndefined();
    expect(body).toBe(POLICY);
    const head2 = split((await curl('/.well-known/mta-sts.txt', ['-I'])).stdout).head;
    expect(statusOf(head2)).toBe(200);
  });

  it.each([
    ['another path', '/', [], 404],
    ['a query string', '/.well-known/mta-sts.txt?x=1', [], 404],
    ['another Host', '/.well-known/mta-sts.txt', ['-H', 'Host: www.example.com'], 421],
    ['POST', '/.well-known/mta-sts.txt', ['-X', 'POST', '--data', 'x'], 405],
  ])('refuses %s', async (_name, path, extra, status) => {
    const { stdout } = await curl(path, extra as string[]);
    expect(statusOf(split(stdout).head)).toBe(status);
    expect(split(stdout).body).not.toContain('STSv1');
  });

  it('refuses oversized headers', async () => {
    const { stdout } = await curl('/.well-known/mta-sts.txt', ['-H', `X-Big: ${'a'.repeat(20_000)}`]);
    expect(statusOf(split(stdout).head)).toBe(431);
  });

  it('a client that does not trust the certificate gets no policy', async () => {
    const { code } = await run('curl', ['-sS', '--max-time', '5', '--resolve', `${HOST}:${port}:${ADDRESS}`, `https://${HOST}:${port}/.well-known/mta-sts.txt`]);
    expect(code).toBe(60); // curl: peer certificate cannot be authenticated
  });

  it('reloads the certificate when its files change; a broken pair keeps the old one', async () => {
    const before = await servedSerial();
    expect(before).toMatch(/^serial=/);
    const renewed = pki.leaf(HOST);
    copyFileSync(renewed.keyFile, keyFile);
    copyFileSync(renewed.certFile, certFile);
    const after = await until('the renewed certificate served', 20_000, async () => {
      const serial = await servedSerial();
      return serial !== before && serial !== '' ? serial : undefined;
    });
    expect(split((await curl('/.well-known/mta-sts.txt')).stdout).body).toBe(POLICY);
    // a key that does not belong to the certificate: logged, the renewed pair stays in use
    const seen = logs.length;
    writeFileSync(keyFile, pki.leaf('other.example.com').key);
    await until('the broken pair logged', 20_000, async () => (logs.slice(seen).some((l) => l.msg.includes('does not load; still serving the previous one')) ? true : undefined));
    expect(await servedSerial()).toBe(after);
  });

  it('an unreadable certificate stops start-up with the config key', async () => {
    const broken = new MtaStsServer({ listen: `${ADDRESS}:8443`, certFile: '/nonexistent.pem', keyFile, host: HOST, policy: () => POLICY, logger: pino({ level: 'silent' }) });
    const error = await broken.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MxpoolError);
    expect((error as MxpoolError).message).toMatch(/^auth\.mtaSts\.https\.certFile: a readable PEM certificate and key .*ENOENT/);
  });
});
