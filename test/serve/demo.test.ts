// `mxpool demo` (what `npm start` runs) as a newcomer would use it: start it, dig it, stop a host
// from its console and watch it leave DNS, stop the demo with Ctrl-C (SIGINT).
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { dig, waitFor } from '../helpers/daemon.ts';
import { track } from '../helpers/children.ts';

const DNS = { server: '127.0.3.110', port: 5353 };
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('mxpool demo', () => {
  it('serves three SMTP hosts in DNS, withdraws a stopped one, exits 0 on SIGINT', async () => {
    child = track(spawn(process.execPath, ['src/cli.ts', 'demo', '--smtp-addresses', '127.0.3.111,127.0.3.112,127.0.3.113', '--smtp-port', '0', '--dns', `${DNS.server}:${DNS.port}`, '--http', '127.0.3.110:8053', '--log-level', 'warn'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the demo prints its dig commands', () => stdout.includes('Ctrl-C') || child!.exitCode !== null, 20_000);
    expect(child.exitCode, stderr).toBeNull();
    expect(stdout).toContain(`dig @${DNS.server} -p ${DNS.port} example.com MX +short`);
    expect(stdout).toContain('stop 2');

    const mx = async () => (await dig(DNS.server, DNS.port, 'example.com', 'MX')).sort();
    expect(await mx()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.', '10 mx3.example.com.']);
    expect((await dig(DNS.server, DNS.port, 'mx.example.com', 'A')).sort()).toEqual(['127.0.3.111', '127.0.3.112', '127.0.3.113']);
    expect((await dig(DNS.server, DNS.port, 'example.com', 'TXT')).join(' ')).toMatch(/v=spf1 .*ip4:127\.0\.3\.112.*ip4:127\.0\.3\.113|v=spf1 .*127\.0\.3\.112\/31/);
    expect((await fetch('http://127.0.3.110:8053/healthz')).status).toBe(200);

    child.stdin!.write('stop 2\n');
    await waitFor('mx2 leaves the MX set', async () => !(await mx()).includes('10 mx2.example.com.'), 10_000);
    expect(await mx()).toEqual(['10 mx1.example.com.', '10 mx3.example.com.']);
    expect(stdout).toMatch(/mx2 .* stopped/);

    child.stdin!.write('start 2\n');
    await waitFor('mx2 returns', async () => (await mx()).includes('10 mx2.example.com.'), 15_000);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(dig(DNS.server, DNS.port, 'example.com', 'MX')).rejects.toThrow();
  });

  it('stays on this machine: non-loopback addresses are a usage error (exit 2)', async () => {
    const { execFile } = await import('node:child_process');
    const run = (args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, ['src/cli.ts', 'demo', ...args], { timeout: 20_000 }, (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }));
    });
    const smtp = await run(['--smtp-addresses', '127.0.3.111,192.0.2.1,127.0.3.113']);
    expect(smtp.code).toBe(2);
    expect(smtp.stderr).toMatch(/--smtp-addresses must be loopback addresses .* not 192\.0\.2\.1/);
    const dns = await run(['--dns', '0.0.0.0:5353']);
    expect(dns.code).toBe(2);
    expect(dns.stderr).toMatch(/--dns must be a loopback address/);
  });
});
