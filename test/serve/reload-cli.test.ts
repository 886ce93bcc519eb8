// `mxpool reload --config F` and POST /api/reload against a running `serve` with an API token:
// auth (401/403 change nothing), exit codes, what it prints when the reload applies and when serve
// refuses it (config mistakes and keys only a restart can change, each with FILE:LINE:COL), and
// the reload counters in /metrics and /api/state.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { track } from '../helpers/children.ts';
import { editConfig, startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import type { ApiReloadResult, ApiState } from '../../src/http/types.ts';

const TOKEN = 'reload-token-5c1e';

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    track(execFile(process.execPath, ['src/cli.ts', ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    }));
  });
}

let d: TestDaemon;
let good: string;

async function state(): Promise<ApiState> {
  return (await fetch(`${d.url}/api/state`)).json() as Promise<ApiState>;
}

async function metrics(): Promise<string> {
  return (await fetch(`${d.url}/metrics`)).text();
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('mxpool reload and POST /api/reload', () => {
  beforeAll(async () => {
    d = await startTestDaemon({ addresses: ['127.113.2.11', '127.113.2.12'], dns: '127.113.2.10:5313', http: '127.113.2.10:8113', token: TOKEN });
    await waitFor('both hosts healthy', async () => (await state()).pools[0]!.healthyCount === 2);
    good = readFileSync(d.configFile, 'utf8');
  }, 30_000);
  afterAll(() => d?.close());

  it('without the token: 401, with a wrong one: 403, and nothing is reloaded', async () => {
    editConfig(d.configFile, (config) => {
      config.pools[0]!.hosts = config.pools[0]!.hosts.slice(0, 1);
    });
    expect((await fetch(`${d.url}/api/reload`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${d.url}/api/reload`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    expect((await fetch(`${d.url}/api/reload`, { method: 'GET' })).status).toBe(405);
    const wrong = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/reload refused \(403\): wrong token/);
    const missing = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/MXPOOL_TEST_TOKEN/);
    const s = await state();
    expect(s.config).toMatchObject({ reloads: 0, reloadFailures: 0, lastReload: null });
    expect(s.pools[0]!.hosts.map((h) => h.name)).toEqual(['mx1.example.com', 'mx2.example.com']);
    expect(await d.dig('example.com', 'MX')).toHaveLength(2);
  });

  it('applies the file, prints what changed and the serial, exit 0', async () => {
    const result = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^reloaded ${escaped(d.configFile)} in \\d+ ms: 1 change\\(s\\)\\n  host mx2\\.example\\.com removed from pool inbound\\nserial (\\d+) \\(was (\\d+)\\)\\n$`));
    expect(await d.dig('example.com', 'MX')).toEqual(['10 mx1.example.com.']);
    expect(await metrics()).toMatch(/^mxpool_config_reloads_total 1$/m);
    expect(await metrics()).not.toMatch(/^mxpool_host_(up|in_dns)\{host="mx2\.example\.com"/m); // a removed host does not read as down forever
    const again = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(again.stdout).toMatch(/: no change; serial \d+ stays \(the records did not change\)\n$/);
  });

  it('refuses a config with mistakes: exit 1, every mistake with FILE:LINE:COL, the old config keeps running', async () => {
    writeFileSync(d.configFile, good.replace('ttl: 30', 'ttl: thirty').replace('interval: 1s', 'interval: 1 fortnight'));
    const serial = (await state()).serial;
    const result = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^reload refused: serve keeps running the config it had \(serial \d+\); fix these and reload again/);
    for (const line of lines.slice(1)) expect(line).toMatch(new RegExp(`^${escaped(d.configFile)}:\\d+:\\d+: `));
    expect(lines.slice(1).map((line) => /: ([a-z.]+): /.exec(line)?.[1]).sort()).toEqual(['probe.interval', 'ttl']);
    const s = await state();
    expect(s.serial).toBe(serial);
    expect(s.ttl).toBe(30);
    expect(s.config.lastReloadError?.errors).toEqual(lines.slice(1));
    expect(s.config.lastReloadError?.trigger).toBe('api');
    expect(await metrics()).toMatch(/^mxpool_config_reload_failures_total 1$/m);

    // the raw API answer: 422 with the same mistakes
    const response = await fetch(`${d.url}/api/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as ApiReloadResult).errors).toEqual(lines.slice(1));
  });

  it('refuses a change only a restart can apply, naming the key, and a token variable a provider needs but cannot find', async () => {
    writeFileSync(d.configFile, good.replace('127.113.2.10:5313', '127.113.2.10:5314'));
    const listen = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(listen.code).toBe(1);
    expect(listen.stderr).toMatch(new RegExp(`${escaped(d.configFile)}:\\d+:\\d+: nameserver\\.listen: changed from \\["127\\.113\\.2\\.10:5313"\\] to \\["127\\.113\\.2\\.10:5314"\\], which a reload cannot apply \\(the DNS sockets are bound at start-up\\): put the old value back, or restart serve to use it`));
    expect(await d.dig('example.com', 'SOA')).toHaveLength(1); // still on the old port

    writeFileSync(d.configFile, `${good}providers:\n  cloudflare: { zoneId: abc123, tokenEnv: MXPOOL_TEST_UNSET_CF_TOKEN }\n`);
    const provider = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(provider.code).toBe(1);
    expect(provider.stderr).toMatch(new RegExp(`${escaped(d.configFile)}:\\d+:\\d+: providers\\.cloudflare\\.tokenEnv: the environment variable MXPOOL_TEST_UNSET_CF_TOKEN must hold the Cloudflare API token; it is not set`));
    expect((await state()).providers).toEqual([]);

    writeFileSync(d.configFile, good);
    const fixed = await cli(['reload', '--config', d.configFile], { MXPOOL_TEST_TOKEN: TOKEN });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/host mx2\.example\.com added to pool inbound/);
    await waitFor('mx2 back in the MX', async () => (await d.dig('example.com', 'MX')).length === 2, 5_000);
    const s = await state();
    expect(s.config).toMatchObject({ reloads: 3, reloadFailures: 4, lastReloadError: null });
  });
});
