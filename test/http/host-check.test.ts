// DNS rebinding: every endpoint refuses a Host that is not this server (421), GET and POST alike,
// and the refused request changes nothing. The rule as a table (host-check.ts), then the real
// `mxpool serve` over a real SMTP host on 127.12.0.x, with raw HTTP requests that set Host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { hostAllowed, parseHostHeader, type HostPolicy } from '../../src/http/host-check.ts';
import { editConfig, startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import type { ApiState } from '../../src/http/types.ts';

const loopback: HostPolicy = { listenHost: '127.12.0.20', port: 8080, names: [] };
const v6: HostPolicy = { listenHost: '::1', port: 8080, names: [] };
const wildcard: HostPolicy = { listenHost: '0.0.0.0', port: 8080, names: ['mxpool.example.com'] };

describe('which Host headers name this server', () => {
  it.each([
    ['the listen address and port', loopback, '127.12.0.20:8080', true],
    ['localhost on the listen port, listening on loopback', loopback, 'localhost:8080', true],
    ['a rebinding name on the right port', loopback, 'rebind.attacker.example:8080', false],
    ['the listen address without its port (80 implied)', loopback, '127.12.0.20', false],
    ['the listen address on another port', loopback, '127.12.0.20:9999', false],
    ['another loopback address', loopback, '127.0.0.1:8080', false],
    ['IPv6 listen address in brackets', v6, '[::1]:8080', true],
    ['IPv6 in another spelling', v6, '[0:0:0:0:0:0:0:1]:8080', true],
    ['IPv6 without brackets', v6, '::1:8080', false],
    ['a wildcard listen: any address of the machine', wildcard, '192.0.2.7:8080', true],
    ['a wildcard listen: an IPv6 address', wildcard, '[2001:db8::7]:8080', true],
    ['a wildcard listen: a name not in http.hosts', wildcard, 'other.example.com:8080', false],
    ['a name in http.hosts, any port (a proxy on 443)', wildcard, 'MXPOOL.example.com.:443', true],
    ['a name in http.hosts without a port', wildcard, 'mxpool.example.com', true],
    ['a subdomain of a listed name', wildcard, 'x.mxpool.example.com', false],
    ['garbage', loopback, 'a b', false],
    ['an unclosed bracket', v6, '[::1:8080', false],
    ['empty', loopback, '', false],
    ['userinfo', loopback, 'x@127.12.0.20:8080', false],
  ])('%s: %s', (_what, policy, header, expected) => {
    expect(hostAllowed(header, policy)).toBe(expected);
  });

  it('no Host at all (HTTP/1.0) passes: a browser always sends one', () => {
    expect(hostAllowed(undefined, loopback)).toBe(true);
  });

  it('parses the forms RFC 9110 7.2 allows', () => {
    expect(parseHostHeader('Example.COM.:8053')).toEqual({ host: 'example.com', port: 8053 });
    expect(parseHostHeader('[::1]')).toEqual({ host: '::1', port: 80 });
    expect(parseHostHeader('host:99999')).toBeUndefined();
  });
});

/** One raw HTTP/1.1 request with the Host we choose (fetch does not let a caller set Host). */
function raw(url: string, method: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: pathname, method, headers: { host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('mxpool serve refuses a foreign Host on every endpoint', () => {
  let d: TestDaemon;
  const ADDRESS = '127.12.0.20';
  const OWN = `${ADDRESS}:8120`;
  const state = async () => (await fetch(`${d.url}/api/state`)).json() as Promise<ApiState>;
  beforeAll(async () => {
    // no token, loopback: the setup a rebinding page attacks (no Bearer to stop a drain)
    d = await startTestDaemon({ addresses: ['127.12.0.21', '127.12.0.22'], dns: `${ADDRESS}:5320`, http: OWN });
    await waitFor('both hosts healthy', async () => (await state()).pools[0]?.healthyCount === 2);
  });
  afterAll(() => d?.close());

  const FOREIGN = 'rebind.attacker.example:8120';

  it.each(['/', '/index.html', '/healthz', '/api/state', '/metrics', '/no/such/path'])('GET %s with a foreign Host: 421, no content', async (path) => {
    const { status, body } = await raw(`${d.url}${path}`, 'GET', FOREIGN);
    expect(status).toBe(421);
    expect(JSON.parse(body)).toEqual({ error: `misdirected request: Host "${FOREIGN}" is not this server (http.listen ${OWN}, or a name in http.hosts)` });
  });

  it('POST drain with a foreign Host and a matching Origin (what a rebinding page sends): 421, and the host is not drained', async () => {
    const before = await state();
    const { status } = await raw(`${d.url}/api/hosts/mx1.example.com/drain`, 'POST', FOREIGN, { origin: `http://${FOREIGN}` });
    expect(status).toBe(421);
    const after = await state();
    const mx1 = after.pools[0]?.hosts[0];
    expect(mx1).toMatchObject({ name: 'mx1.example.com', state: 'healthy', drain: null, inDns: true });
    expect(after.serial).toBe(before.serial);
    expect(await d.dig('mx1.example.com', 'A')).toEqual(['127.12.0.21']);
    expect((await d.dig('example.com', 'MX')).sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    expect(d.logs()).toMatch(/refused a request for another Host/);
  });

  it('the same requests with the server\'s own Host (and localhost) are served; the drain works', async () => {
    expect((await raw(`${d.url}/`, 'GET', OWN)).status).toBe(200);
    expect((await raw(`${d.url}/healthz`, 'GET', 'localhost:8120')).status).toBe(200);
    const drained = await raw(`${d.url}/api/hosts/mx1.example.com/drain`, 'POST', OWN, { origin: `http://${OWN}` });
    expect(drained.status, drained.body).toBe(200);
    expect((await state()).pools[0]?.hosts[0]?.state).toBe('draining');
    expect((await raw(`${d.url}/api/hosts/mx1.example.com/undrain`, 'POST', OWN)).status).toBe(200);
    expect((await state()).pools[0]?.hosts[0]?.state).toBe('healthy');
  });

  it('a name added to http.hosts by a reload (SIGHUP) is served from then on', async () => {
    const NAME = 'mxpool.example.net';
    expect((await raw(`${d.url}/healthz`, 'GET', `${NAME}:8120`)).status).toBe(421);
    editConfig(d.configFile, (config) => {
      (config.http as Record<string, unknown>).hosts = [NAME];
    });
    d.process?.kill('SIGHUP');
    await waitFor('the reload applied', () => /config reloaded: 1 change/.test(d.logs()));
    expect((await raw(`${d.url}/healthz`, 'GET', `${NAME}:8120`)).status).toBe(200);
    expect((await raw(`${d.url}/healthz`, 'GET', `${NAME}:443`)).status).toBe(200); // a proxy's port
    expect((await raw(`${d.url}/healthz`, 'GET', FOREIGN)).status).toBe(421);
  });
});
