// `mxpool probe` end to end: the real CLI in a child process against scripted servers. 127.0.1.80-89.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esmtp, scriptedServer, type ScriptedServer } from '../helpers/smtp/scripted-server.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';

let pki: TestPki;
let good: ScriptedServer;
let bad: ScriptedServer;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli.ts', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function writeConfig(name: string, hosts: string, probe = ''): string {
  const file = join(pki.dir, name);
  writeFileSync(file, `zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hosts:
${hosts}
probe:
  timeout: 2s
  starttls: optional
  caFile: ${join(pki.dir, 'ca.pem')}
${probe}
`);
  return file;
}

beforeAll(async () => {
  pki = makeTestPki();
  good = await scriptedServer('127.0.1.80', esmtp({ tls: pki.leaf('mx1.example.com') }));
  bad = await scriptedServer('127.0.1.81', (c) => {
    c.send('554 5.3.2 not today\r\n');
    c.close();
  });
});

afterAll(async () => {
  await good.close();
  await bad.close();
  pki.cleanup();
});

describe('mxpool probe', () => {
  it('all healthy (a disabled host does not count) -> table, exit 0', async () => {
    const file = writeConfig('ok.yaml', `      - { name: mx1.example.com, address: 127.0.1.80, port: ${good.port} }
      - { name: mx2.example.com, address: 127.0.1.81, port: ${bad.port}, disabled: true }`);
    const result = await cli(['probe', '--config', file, '--log-level', 'silent']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HOST\s+POOL\s+RESULT\s+STAGE\s+MS\s+TLS\s+CERT DAYS\s+REASON$/);
    expect(lines[1]).toMatch(/^mx1\.example\.com\s+inbound\s+ok\s+quit\s+\d+\.\d\s+TLSv1\.3\s+36[45]$/);
    expect(lines[2]).toMatch(/^mx2\.example\.com\s+inbound\s+FAIL \(disabled\)\s+greeting\s+\d+\.\d\s+-\s+-\s+greeting 554 5\.3\.2 not today$/);
  });

  it('one unhealthy -> exit 1; --json carries every field', async () => {
    const file = writeConfig('mixed.yaml', `      - { name: mx1.example.com, address: 127.0.1.80, port: ${good.port} }
      - { name: mx2.example.com, address: 127.0.1.81, port: ${bad.port} }`);
    const result = await cli(['probe', '--config', file, '--json', '--log-level', 'silent']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toEqual({ hosts: 2, healthy: 1, unhealthy: 1, disabled: 0 });
    expect(report.hosts[0]).toMatchObject({ host: 'mx1.example.com', pool: 'inbound', address: '127.0.1.80', state: 'healthy', ok: true, stage: 'quit', refused: false });
    expect(report.hosts[0].tls).toMatchObject({ protocol: 'TLSv1.3', authorized: true, san: ['mx1.example.com'] });
    expect(report.hosts[1]).toMatchObject({ host: 'mx2.example.com', state: 'unhealthy', ok: false, stage: 'greeting', code: 554, reason: 'greeting 554 5.3.2 not today', tls: null });
  });

  it('an unreadable probe.caFile is a clear error, exit 1', async () => {
    const file = writeConfig('noca.yaml', `      - { name: mx1.example.com, address: 127.0.1.80, port: ${good.port} }`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(join(pki.dir, 'ca.pem'), join(pki.dir, 'missing.pem')));
    const result = await cli(['probe', '--config', file, '--log-level', 'silent']);
    expect(result.code).toBe(1);
    // found only when the file is used, yet named like validate's findings: FILE:LINE:COL of the value
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('missing.pem'));
    const col = lines[line]!.search(/["']?\/[^ ]*missing\.pem/);
    expect(result.stderr).toContain(`${file}:${line + 1}:${col + 1}: probe.caFile: a readable PEM file (`);
    expect(result.stderr).toContain(`probe.caFile: a readable PEM file (${join(pki.dir, 'missing.pem')}: ENOENT)`);
  });
});
