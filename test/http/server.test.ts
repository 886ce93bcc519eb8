import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { HttpServer, HttpError, type HttpHandlers } from '../../src/http/server.ts';
import { Metrics } from '../../src/http/metrics.ts';
import { checkBearer, isLoopbackHost, sameSecret } from '../../src/http/auth.ts';
import type { ApiDrainResponse, ApiState } from '../../src/http/types.ts';

const TOKEN = 's3cret-token-for-tests';

function fakeHandlers(calls: string[]): HttpHandlers {
  const metrics = new Metrics({ processMetrics: false });
  metrics.declareHost('mx1.example.com', 'inbound');
  const answer = (host: string, drained: boolean): ApiDrainResponse => {
    if (host !== 'mx1.example.com') throw new HttpError(404, `no host ${host} in the config`);
    return { host, state: drained ? 'draining' : 'healthy', drain: drained ? { drainedAt: 1000, safeToStopAt: 61_000 } : null, serial: 7 };
  };
  return {
    healthz: () => ({ ok: true, status: 'serving' }),
    state: () => ({ version: 1, zone: 'example.com' }) as unknown as ApiState,
    drain: async (host) => { calls.push(`drain ${host}`); return answer(host, true); },
    undrain: async (host) => { calls.push(`undrain ${host}`); return answer(host, false); },
    disable: async (host) => { calls.push(`disable ${host}`); return { ...answer(host, false), state: 'disabled' }; },
    enable: async (host) => { calls.push(`enable ${host}`); return answer(host, false); },
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.text() }),
  };
}

describe('HttpServer with a token', () => {
  const calls: string[] = [];
  let server: HttpServer;
  let base: string;
  beforeAll(async () => {
    server = new HttpServer({ listen: '127.0.3.1:0', token: TOKEN, handlers: fakeHandlers(calls), logger: silentLogger });
    const address = await server.start();
    base = `http://127.0.3.1:${address.port}`;
  });
  afterAll(() => server.stop());

  it('GET /healthz and /api/state need no token', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, status: 'serving' });
    const state = await fetch(`${base}/api/state`);
    expect(state.headers.get('content-type')).toMatch(/application\/json/);
    expect(await state.json()).toMatchObject({ zone: 'example.com' });
  });

  it('drain without a token is 401 with a WWW-Authenticate challenge, and does nothing', async () => {
    const response = await fetch(`${base}/api/hosts/mx1.example.com/drain`, { method: 'POST' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(calls).toEqual([]);
  });

  it('drain with a wrong token is 403 (also one that only shares a prefix)', async () => {
    for (const wrong of ['nope', TOKEN.slice(0, -1), `${TOKEN}x`]) {
      const response = await fetch(`${base}/api/hosts/mx1.example.com/drain`, { method: 'POST', headers: { authorization: `Bearer ${wrong}` } });
      expect(response.status).toBe(403);
    }
    expect(calls).toEqual([]);
  });

  it('drain and undrain with the token reach the handler', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const drained = await fetch(`${base}/api/hosts/MX1.example.com./drain`, { method: 'POST', headers: auth });
    expect(drained.status).toBe(200);
    expect(await drained.json()).toMatchObject({ host: 'mx1.example.com', state: 'draining', drain: { safeToStopAt: 61_000 } });
    const undrained = await fetch(`${base}/api/hosts/mx1.example.com/undrain`, { method: 'POST', headers: auth });
    expect(await undrained.json()).toMatchObject({ state: 'healthy', drain: null });
    expect(calls).toEqual(['drain mx1.example.com', 'undrain mx1.example.com']);
  });

  it('disable and enable need the token as drain does, and reach their handlers', async () => {
    expect((await fetch(`${base}/api/hosts/mx1.example.com/disable`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/api/hosts/mx1.example.com/enable`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    expect(calls.filter((c) => /able/.test(c))).toEqual([]);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const disabled = await fetch(`${base}/api/hosts/mx1.example.com/disable`, { method: 'POST', headers: auth });
    expect(await disabled.json()).toMatchObject({ host: 'mx1.example.com', state: 'disabled' });
    expect((await fetch(`${base}/api/hosts/mx1.example.com/enable`, { method: 'POST', headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/api/hosts/mx1.example.com/enable`)).status).toBe(405);
    expect(calls.filter((c) => /able/.test(c))).toEqual(['disable mx1.example.com', 'enable mx1.example.com']);
  });

  it('unknown host 404, wrong method 405, unknown path 404, cross-site POST 403', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${base}/api/hosts/nope.example.com/drain`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/api/hosts/mx1.example.com/drain`)).status).toBe(405);
    expect((await fetch(`${base}/api/state`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const csrf = await fetch(`${base}/api/hosts/mx1.example.com/drain`, { method: 'POST', headers: { ...auth, origin: 'http://evil.example' } });
    expect(csrf.status).toBe(403);
  });

  it('GET /metrics is Prometheus text from its own registry', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toContain('mxpool_host_up{host="mx1.example.com",pool="inbound"} 0');
    expect(text).toContain('# TYPE mxpool_probe_duration_seconds histogram');
  });

  it('GET / serves an HTML page', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('HttpServer listening rules', () => {
  it('refuses to listen beyond loopback without a token', () => {
    for (const listen of ['0.0.0.0:8053', '[::]:8053', '192.0.2.1:8053']) {
      expect(() => new HttpServer({ listen, token: undefined, handlers: fakeHandlers([]), logger: silentLogger })).toThrow(/tokenEnv/);
    }
  });

  it('accepts a loopback listen address without a token; then writes need none', async () => {
    const calls: string[] = [];
    const server = new HttpServer({ listen: '127.0.3.2:0', token: undefined, handlers: fakeHandlers(calls), logger: silentLogger });
    const { port } = await server.start();
    try {
      const response = await fetch(`http://127.0.3.2:${port}/api/hosts/mx1.example.com/drain`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(calls).toEqual(['drain mx1.example.com']);
    } finally {
      await server.stop();
    }
  });

  it('stop() returns promptly even with a keep-alive client attached', async () => {
    const server = new HttpServer({ listen: '127.0.3.3:0', token: TOKEN, handlers: fakeHandlers([]), logger: silentLogger });
    const { port } = await server.start();
    await fetch(`http://127.0.3.3:${port}/healthz`, { keepalive: true });
    const started = performance.now();
    await server.stop();
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(fetch(`http://127.0.3.3:${port}/healthz`)).rejects.toThrow();
  });
});

describe('auth helpers', () => {
  it('checkBearer: none configured lets through; missing 401; wrong 403; right ok', () => {
    expect(checkBearer(undefined, undefined)).toEqual({ ok: true });
    expect(checkBearer(undefined, 'x')).toMatchObject({ ok: false, status: 401 });
    expect(checkBearer('Basic abc', 'x')).toMatchObject({ ok: false, status: 401 });
    expect(checkBearer('Bearer y', 'x')).toMatchObject({ ok: false, status: 403 });
    expect(checkBearer('bearer x', 'x')).toEqual({ ok: true });
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });

  it('isLoopbackHost', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost'].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1'].map(isLoopbackHost)).toEqual([false, false, false, false, false]);
  });
});
