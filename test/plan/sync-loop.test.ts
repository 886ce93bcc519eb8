// `mxpool sync` without --once, as a user runs it: probes on its own, syncs at start, pushes a
// health change to Route 53 as it happens (the real SDK against the fake), exits 0 on SIGTERM.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { listen, until } from './process-helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { track } from '../helpers/children.ts';

let fake: Route53Fake;
let dir: string;
const servers: SMTPServer[] = [];
let child: ChildProcess | undefined;

beforeAll(async () => {
  fake = await Route53Fake.start({ host: '127.0.4.70' });
  const ports: number[] = [];
  for (const host of ['127.0.4.71', '127.0.4.72']) {
    const server = new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], disableReverseLookup: true, logger: false });
    servers.push(server);
    ports.push(await listen(server, host));
  }
  dir = tempDir('mxpool-sync-');
  writeFileSync(join(dir, 'mxpool.yaml'), [
    'zone: example.com',
    `stateDir: ${join(dir, 'state')}`,
    'probe: { interval: 1s, timeout: 500ms, rise: 1, fall: 1, starttls: off, hold: false }',
    'pools:',
    '  - name: inbound',
    '    role: inbound',
    '    mx: { name: example.com, preference: 10 }',
    '    hosts:',
    `      - { name: mx1.example.com, address: 127.0.4.71, port: ${ports[0]} }`,
    `      - { name: mx2.example.com, address: 127.0.4.72, port: ${ports[1]} }`,
    'providers:',
    `  route53: { hostedZoneId: Z0FAKE, endpoint: "${fake.endpoint}" }`,
    '',
  ].join('\n'));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

it('syncs at start, pushes a host failure as it happens, stops cleanly on SIGTERM', async () => {
  child = track(spawn('node_modules/.bin/node', ['src/cli.ts', 'sync', '--config', join(dir, 'mxpool.yaml'), '--log-level', 'warn'], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
  await until('the first sync', () => fake.get('example.com', 'MX')?.values.length === 2);
  expect(fake.count('ChangeResourceRecordSets')).toBe(1);
  // mx2's SMTP server goes away: connection refused from now on
  await new Promise<void>((resolve) => servers[1]?.close(() => resolve()));
  await until('mx2 withdrawn', () => fake.get('example.com', 'MX')?.values.length === 1);
  expect(fake.get('example.com', 'MX')?.values).toEqual(['10 mx1.example.com.']);
  expect(fake.get('mx2.example.com', 'A')).toBeUndefined();
  expect(fake.count('ChangeResourceRecordSets')).toBe(2);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(stderr).not.toMatch(/"level":50/); // no error logged
}, 40_000);
