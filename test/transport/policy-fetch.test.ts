// Fetching a live MTA-STS policy the way RFC 8461 3.3 tells senders to, against a misbehaving HTTPS
// server: redirects are failures (never followed), the media type must be text/plain, the body is
// capped at 64 KiB, a silent server is cut at the deadline, and the certificate must be valid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fetchPolicy } from '../../src/audit/mta-sts-fetch.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';

const ADDRESS = '127.18.6.1';
const HOST = 'mta-sts.example.com';
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n';

let pki: TestPki;
let server: Server;
let port: number;
const requests: string[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  const pair = pki.leaf(HOST);
  server = createServer({ key: pair.key, cert: pair.cert }, (request, response) => {
    requests.push(`${request.headers.host} ${request.url}`);
    const scenario = (server as Server & { scenario?: string }).scenario ?? 'ok';
    switch (scenario) {
      case 'ok':
        response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(POLICY);
        return;
      case 'redirect':
        response.writeHead(301, { Location: `https://${HOST}/elsewhere.txt` }).end();
        return;
      case 'html':
        response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>');
        return;
      case 'big':
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${POLICY}${'#'.repeat(70 * 1024)}`);
        return;
      case 'missing':
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here');
        return;
      case 'silent':
        return; // never answers
    }
  });
  await new Promise<void>((resolve) => server.listen(0, ADDRESS, () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  pki?.cleanup();
});

const fetchAs = (scenario: string, extra: { host?: string; ca?: string | null; timeoutMs?: number } = {}) => {
  (server as Server & { scenario?: string }).scenario = scenario;
  return fetchPolicy({ host: extra.host ?? HOST, address: ADDRESS, port, timeoutMs: extra.timeoutMs ?? 3000, ...(extra.ca === null ? {} : { ca: extra.ca ?? pki.ca }) });
};

describe('fetching a live MTA-STS policy', () => {
  it('gets the policy with SNI and Host mta-sts.<domain> at the well-known path', async () => {
    expect(await fetchAs('ok')).toEqual({ status: 'ok', text: POLICY });
    expect(requests.at(-1)).toBe(`${HOST} /.well-known/mta-sts.txt`);
  });

  it.each([
    ['redirect', /HTTP 301 redirect to https:\/\/mta-sts\.example\.com\/elsewhere\.txt: senders must not follow redirects/],
    ['html', /media type "text\/html", expected text\/plain/],
    ['big', /over 65536 octets/],
    ['missing', /HTTP 404, expected 200/],
  ])('%s: a failure with the reason', async (scenario, reason) => {
    const result = await fetchAs(scenario);
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.reason).toMatch(reason);
  });

  it('a silent server is cut at the deadline', async () => {
    const started = Date.now();
    const result = await fetchAs('silent', { timeoutMs: 500 });
    expect(result).toEqual({ status: 'failed', reason: 'no complete answer within 500 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('the certificate must be trusted and valid for the policy host', async () => {
    expect(await fetchAs('ok', { ca: null })).toEqual({ status: 'failed', reason: expect.stringMatching(/the certificate is not trusted/) });
    expect(await fetchAs('ok', { host: 'mta-sts.other.example' })).toEqual({ status: 'failed', reason: 'the certificate is not valid for mta-sts.other.example' });
  });
});
