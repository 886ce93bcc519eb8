// `mxpool plan` and `mxpool sync --once` as a user runs them: the real CLI in a child process, one
// real probe round against SMTP servers on loopback, the real AWS SDK against the Route 53 fake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const NODE = 'node_modules/.bin/node';
let fake: Route53Fake;
const servers: SMTPServer[] = [];
let dir: string;
let configFile: string;

function listen(server: SMTPServer, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.server.address() as AddressInfo).port)));
}

/** A port on which nothing listens: bind, note it, close. */
async function closedPort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, ['src/cli.ts', ...args, '--log-level', 'error'], { env: { ...process.env }, timeout: 25_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function writeConfig(file: string, endpoint: string, ports: number[]): void {
  writeFileSync(file, [
    'zone: example.com',
    'ttl: 30',
    'probe: { interval: 2s, timeout: 1s, rise: 1, fall: 1, starttls: off, hold: false }',
    'pools:',
    '  - name: inbound',
    '    role: inbound',
    '    mx: { name: example.com, preference: 10 }',
    '    hosts:',
    `      - { name: mx1.example.com, address: 127.0.4.41, port: ${ports[0]} }`,
    `      - { name: mx2.example.com, address: 127.0.4.42, port: ${ports[1]} }`,
    `      - { name: mx3.example.com, address: 127.0.4.43, port: ${ports[2]} }`,
    'providers:',
    `  route53: { hostedZoneId: Z0FAKE, endpoint: "${endpoint}" }`,
    '',
  ].join('\n'));
}

beforeAll(async () => {
  fake = await Route53Fake.start({ host: '127.0.4.40' });
  fake.put({ name: 'www.example.com', type: 'CNAME', ttl: 300, values: ['example.net.'] });
  const ports: number[] = [];
  for (const host of ['127.0.4.41', '127.0.4.42']) {
    const server = new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], disableReverseLookup: true, logger: false });
    servers.push(server);
    ports.push(await listen(server, host));
  }
  ports.push(await closedPort('127.0.4.43')); // mx3 is down: connection refused
  dir = tempDir('mxpool-plan-');
  configFile = join(dir, 'mxpool.yaml');
  writeConfig(configFile, fake.endpoint, ports);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mxpool plan / sync against the Route 53 fake', () => {
  it('plan probes once and prints a readable plan of the healthy hosts, exit 3', async () => {
    const { code, stdout } = await run(['plan', '--config', configFile]);
    expect(code).toBe(3);
    expect(stdout).toContain('route53: 3 to create, 0 to update, 0 to delete (mxpool owns 0 records; 2 other record set(s) left alone)');
    expect(stdout).toContain('  + create example.com MX ttl 30\n      + 10 mx1.example.com. (host mx1.example.com)\n      + 10 mx2.example.com. (host mx2.example.com)\n');
    expect(stdout).toContain('  + create mx1.example.com A ttl 30\n      + 127.0.4.41');
    expect(stdout).not.toContain('mx3.example.com');
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('sync --once applies it in one write; the next plan has nothing pending (exit 0)', async () => {
    const applied = await run(['sync', '--once', '--config', configFile]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('route53: applied in 1 write call(s)');
    expect(fake.get('example.com', 'MX')?.values.sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    const again = await run(['plan', '--config', configFile, '--json']);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.stdout) as { plans: Array<{ provider: string; pending: boolean; changes: unknown[] }> };
    expect(json.plans).toEqual([expect.objectContaining({ provider: 'route53', pending: false, changes: [] })]);
  });

  it('an unknown --provider is a usage error (exit 2); an unreachable API is an error (exit 1)', async () => {
    const usage = await run(['plan', '--config', configFile, '--provider', 'cloudflare']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--provider cloudflare: not configured here (configured: route53)');
    const broken = join(dir, 'broken.yaml');
    writeConfig(broken, `http://127.0.4.44:${await closedPort('127.0.4.44')}`, [1, 2, 3]);
    const failed = await run(['plan', '--config', broken, '--all-healthy']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/route53: error: route53: ListResourceRecordSets failed/);
  });

  it('sync refuses --force without --once', async () => {
    const { code, stderr } = await run(['sync', '--config', configFile, '--force']);
    expect(code).toBe(2);
    expect(stderr).toContain('--force applies to one sync only: use it with --once');
  });
});
