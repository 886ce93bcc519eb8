// `mxpool serve` as a process over real SMTP hosts: drain/undrain through the CLI and the API,
// API auth, /api/state, /metrics, and a clean SIGTERM shutdown that writes the state file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import type { ApiState, ApiHost } from '../../src/http/types.ts';

const TOKEN = 'test-token-7f3a';

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli.ts', ...args], { env: { ...process.env, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function state(d: TestDaemon): Promise<ApiState> {
  return (await fetch(`${d.url}/api/state`)).json() as Promise<ApiState>;
}

function host(s: ApiState, name: string): ApiHost {
  const found = s.pools.flatMap((p) => p.hosts).find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name}`);
  return found;
}

describe('serve: API, drain, metrics, shutdown', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({ addresses: ['127.0.3.21', '127.0.3.22'], outbound: [0, 1], dns: '127.0.3.20:5301', http: '127.0.3.20:8101', token: TOKEN, ttl: 30 });
    await waitFor('both hosts healthy', async () => (await state(d)).pools[0]!.healthyCount === 2);
  });
  afterAll(() => d?.close());

  it('/api/state: pools, hosts, probes, published records, serial', async () => {
    const s = await state(d);
    expect(s.zone).toBe('example.com');
    expect(s.serial).toBeGreaterThan(2026000000);
    expect(s.startedFrom).toBe('first-probe-round');
    expect(s.pools.map((p) => [p.name, p.role, p.hostname])).toEqual([['inbound', 'inbound', 'mx.example.com'], ['relays', 'outbound', 'smtp.example.com']]);
    const mx1 = host(s, 'mx1.example.com');
    expect(mx1).toMatchObject({ address: '127.0.3.21', state: 'healthy', inDns: true, drain: null });
    expect(mx1.lastProbe).toMatchObject({ ok: true, stage: 'quit', reason: null });
    expect(mx1.history.length).toBeGreaterThan(0);
    expect(host(s, 'relay1.example.com').inSpf).toBe(true);
    const mx = s.pools[0]!.published.find((r) => r.type === 'MX');
    expect(mx?.values.sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    expect(s.records.some((r) => r.type === 'TXT' && r.values.some((v) => v.includes('v=spf1')))).toBe(true);
  });

  it('drain without a token: 401; with a wrong one: 403; the CLI says so and exits 1', async () => {
    expect((await fetch(`${d.url}/api/hosts/relay1.example.com/drain`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${d.url}/api/hosts/relay1.example.com/drain`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    const missing = await cli(['drain', 'relay1.example.com', '--config', d.configFile], { MXPOOL_TEST_TOKEN: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/MXPOOL_TEST_TOKEN/);
    const wrong = await cli(['drain', 'relay1.example.com', '--config', d.configFile], { MXPOOL_TEST_TOKEN: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/403/);
    expect(host(await state(d), 'relay1.example.com').state).toBe('healthy');
  });

  it('mxpool drain: out of DNS at once, still in SPF, prints when it is safe to stop', async () => {
    const before = await state(d);
    const started = Date.now();
    const result = await cli(['drain', 'relay1.example.com', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const match = /safe to stop after (\d\d):(\d\d):(\d\d)/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const after = await state(d);
    const relay = host(after, 'relay1.example.com');
    expect(relay.state).toBe('draining');
    expect(relay.inDns).toBe(false);
    expect(relay.inSpf).toBe(true);
    expect(relay.drain!.safeToStopAt - relay.drain!.drainedAt).toBe(2 * 30 * 1000);
    expect(relay.drain!.drainedAt).toBeGreaterThanOrEqual(started - 1000);
    const expected = new Date(relay.drain!.safeToStopAt);
    expect(match!.slice(1).map(Number)).toEqual([expected.getHours(), expected.getMinutes(), expected.getSeconds()]);
    expect(after.serial).toBeGreaterThan(before.serial);
    expect(after.pools[1]!.publishedHosts).toEqual(['relay2.example.com']);
    // the same address as mx1 in the inbound pool is untouched
    expect(host(after, 'mx1.example.com').inDns).toBe(true);
    // and what the world sees: out of smtp.example.com A, still in the SPF TXT
    expect(await d.dig('smtp.example.com', 'A')).toEqual(['127.0.3.22']);
    expect((await d.dig('example.com', 'TXT')).join(' ')).toMatch(/v=spf1 [^"]*127\.0\.3\.21/);
    expect((await d.dig('example.com', 'MX')).sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
  });

  it('a drained host stays drained while its probes pass', async () => {
    await new Promise((r) => setTimeout(r, 2500)); // two and a half probe intervals
    expect(host(await state(d), 'relay1.example.com').state).toBe('draining');
  });

  it('draining the last host a pool can publish is refused (409): it would stay in DNS', async () => {
    const result = await cli(['drain', 'relay2.example.com', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/409.*would not take it out of DNS.*pool relays/);
    const relay2 = host(await state(d), 'relay2.example.com');
    expect(relay2).toMatchObject({ state: 'healthy', inDns: true, drain: null });
  });

  it('mxpool undrain puts it back', async () => {
    const result = await cli(['undrain', 'relay1.example.com', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/relay1\.example\.com: undrained, now healthy/);
    const relay = host(await state(d), 'relay1.example.com');
    expect(relay).toMatchObject({ state: 'healthy', inDns: true, drain: null });
    expect((await d.dig('smtp.example.com', 'A')).sort()).toEqual(['127.0.3.21', '127.0.3.22']);
  });

  it('an unknown host is a clear error (404, exit 1)', async () => {
    const result = await cli(['drain', 'nope.example.com', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/404.*no host named nope\.example\.com/);
  });

  it('/api/state carries the audit of the published zone', async () => {
    await waitFor('the first audit', async () => (await state(d)).audit !== null);
    const { audit } = await state(d);
    expect(audit!.findings.length).toBe(audit!.summary.errors + audit!.summary.warnings + audit!.summary.infos);
    // the test config publishes p=none: the auditor flags it
    expect(audit!.findings).toContainEqual(expect.objectContaining({ id: 'dmarc-policy-none', severity: 'warning' }));
  });

  it('/metrics: host up, probe durations, failures, zone serial, transitions, DNS queries, audit', async () => {
    const text = await (await fetch(`${d.url}/metrics`)).text();
    const s = await state(d);
    expect(text).toContain(`mxpool_audit_findings{severity="warning"} ${s.audit!.summary.warnings}`);
    expect(text).toContain('mxpool_host_up{host="mx1.example.com",pool="inbound"} 1');
    expect(text).toContain('mxpool_host_in_dns{host="relay1.example.com",pool="relays"} 1');
    expect(text).toMatch(/mxpool_probe_duration_seconds_count\{host="mx2.example.com",pool="inbound",result="ok"\} [1-9]/);
    expect(text).toContain(`mxpool_zone_serial ${s.serial}`);
    expect(text).toMatch(/mxpool_health_transitions_total\{host="relay1.example.com",pool="relays",to="draining"\} 1/);
    expect(text).toContain('# TYPE mxpool_probe_failures_total counter');
    expect(text).toMatch(/mxpool_dns_queries_total\{type="A",rcode="NOERROR",transport="udp"\} [1-9]/);
    expect(text).toMatch(/mxpool_dns_queries_total\{type="TXT",rcode="NOERROR",transport="udp"\} [1-9]/);
    expect(text).toContain('# TYPE mxpool_syncs_total counter');
    expect(text).toContain('mxpool_audit_findings{severity="error"}');
  });

  it('SIGTERM: exit 0 within 5 s, state written with health and serial', async () => {
    const before = await state(d);
    const drained = await fetch(`${d.url}/api/hosts/mx2.example.com/drain`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(drained.status).toBe(200);
    const stopped = await d.stopDaemon('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    const saved = JSON.parse(readFileSync(join(d.stateDir, 'state.json'), 'utf8'));
    expect(saved.serial).toBeGreaterThan(before.serial);
    expect(saved.hosts.find((h: { host: string }) => h.host === 'mx2.example.com')).toMatchObject({ state: 'draining' });
    expect(saved.hosts.find((h: { host: string }) => h.host === 'mx1.example.com')).toMatchObject({ state: 'healthy' });
    expect(saved.lastKnownGood.inbound).toEqual(['mx1.example.com']);
    expect(d.logs()).toMatch(/stopped; state written/);
  });
});
