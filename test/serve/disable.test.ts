// `mxpool disable` / `mxpool enable` on a single `serve` (a process over real SMTP hosts): a run-time
// switch with drain's auth, kept in stateDir across a restart, and never above the config (a host
// `disabled: true` in the config stays disabled after an enable).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import type { ApiState } from '../../src/http/types.ts';

const TOKEN = 'test-token-disable';

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli.ts', ...args], { env: { ...process.env, MXPOOL_TEST_TOKEN: TOKEN, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('serve: disable and enable at run time', { timeout: 60_000 }, () => {
  let d: TestDaemon;
  const state = async () => (await (await fetch(`${d.url}/api/state`)).json()) as ApiState;
  const hostState = async (name: string) => (await state()).pools[0]!.hosts.find((h) => h.name === name)!;
  const mx = async () => (await d.dig('example.com', 'MX')).sort();

  beforeAll(async () => {
    d = await startTestDaemon({
      addresses: ['127.15.7.1', '127.15.7.2', '127.15.7.3'],
      dns: '127.15.7.10:5300',
      http: '127.15.7.10:8100',
      token: TOKEN,
      editConfig: (config) => {
        const pools = config.pools as Array<{ hosts: Array<Record<string, unknown>> }>;
        pools[0]!.hosts[2]!.disabled = true;
      },
    });
    await waitFor('mx1 and mx2 in MX', async () => JSON.stringify(await mx()) === JSON.stringify(['10 mx1.example.com.', '10 mx2.example.com.']));
  }, 60_000);
  afterAll(() => d?.close());

  it('needs the token as drain does', async () => {
    expect((await fetch(`${d.url}/api/hosts/mx1.example.com/disable`, { method: 'POST' })).status).toBe(401);
    const refused = await cli(['disable', 'mx1.example.com', '--config', d.configFile], { MXPOOL_TEST_TOKEN: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/disable mx1\.example\.com refused \(403\)/);
    expect((await hostState('mx1.example.com')).state).toBe('healthy');
  });

  it('mxpool disable: out of DNS at once; kept across a restart (stateDir); mxpool enable: back', async () => {
    const before = (await state()).serial;
    const result = await cli(['disable', 'mx1.example.com', '--config', d.configFile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/mx1\.example\.com: disabled; out of DNS \(serial \d+\)/);
    expect(await mx()).toEqual(['10 mx2.example.com.']);
    expect(await hostState('mx1.example.com')).toMatchObject({ state: 'disabled', disabledInConfig: false, inDns: false });
    expect((await state()).serial).toBeGreaterThan(before);
    const saved = JSON.parse(readFileSync(join(d.stateDir, 'state.json'), 'utf8')) as { hosts: Array<{ host: string; state: string; disabledBy?: string }> };
    expect(saved.hosts.find((h) => h.host === 'mx1.example.com')).toMatchObject({ state: 'disabled', disabledBy: 'operator' });
    expect(saved.hosts.find((h) => h.host === 'mx3.example.com')?.disabledBy).toBeUndefined();

    await d.stopDaemon();
    await d.startDaemon();
    expect(await hostState('mx1.example.com')).toMatchObject({ state: 'disabled', inDns: false });
    expect(await mx()).toEqual(['10 mx2.example.com.']);

    const enabled = await cli(['enable', 'mx1.example.com', '--config', d.configFile]);
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toMatch(/mx1\.example\.com: enabled, now (healthy|unhealthy)/);
    await waitFor('mx1 back in MX', async () => (await mx()).includes('10 mx1.example.com.'));
    expect((await hostState('mx1.example.com')).state).toBe('healthy');
  });

  it('enable does not override the config: a host disabled there stays disabled', async () => {
    const result = await cli(['enable', 'mx3.example.com', '--config', d.configFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/mx3\.example\.com: still disabled \(disabled: true in the config decides/);
    expect(await hostState('mx3.example.com')).toMatchObject({ state: 'disabled', disabledInConfig: true });
    const unknown = await cli(['disable', 'nope.example.com', '--config', d.configFile]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404.*no host named nope\.example\.com/);
  });
});
