// `mxpool zone` end to end: the CLI as a child process, a real SMTP server (smtp-server) as the one
// healthy host, a closed port as the dead one; named-checkzone accepts what it prints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { run } from './helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir('mxpool-zonecmd-');
let smtp: SMTPServer;
let smtpPort = 0;

beforeAll(async () => {
  smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.2.40', () => resolve()));
  smtpPort = (smtp.server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(): string {
  const file = join(dir, 'mxpool.yaml');
  writeFileSync(
    file,
    `zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hosts:
      - { name: mx1.example.com, address: 127.0.2.40, port: ${smtpPort} }
      - { name: mx2.example.com, address: 127.0.2.41, port: ${smtpPort} }
probe: { interval: 5s, timeout: 2s, hold: false, starttls: off }
nameserver:
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
records:
  - { name: ns1.example.com, type: A, value: 192.0.2.53 }
`,
  );
  return file;
}

async function zoneCli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['src/cli.ts', 'zone', '--log-level', 'silent', ...args], { timeout: 20_000 });
  return stdout;
}

describe('mxpool zone', () => {
  it('--all-healthy prints every enabled host; named-checkzone accepts it', async () => {
    const file = writeConfig();
    const text = await zoneCli(['--config', file, '--all-healthy']);
    expect(text).toMatch(/^@\s+30 IN MX\s+10 mx1\.example\.com\./m);
    expect(text).toMatch(/^@\s+30 IN MX\s+10 mx2\.example\.com\./m);
    const zoneFile = join(dir, 'all.zone');
    writeFileSync(zoneFile, text);
    const { stdout } = await run('named-checkzone', ['example.com', zoneFile]);
    expect(stdout).toMatch(/OK/);
  });

  it('without --all-healthy, one probe round decides: the dead host is left out', async () => {
    const file = writeConfig();
    const text = await zoneCli(['--config', file]);
    expect(text).toMatch(/^@\s+30 IN MX\s+10 mx1\.example\.com\./m);
    expect(text).not.toMatch(/mx2\.example\.com/);
    expect(text).toMatch(/^mx1\s+30 IN A\s+127\.0\.2\.40/m);
  });

  it('a relay disabled in the config is out of SPF (a one-shot run has no withdrawal time to grant grace from)', async () => {
    const file = join(dir, 'disabled.yaml');
    writeFileSync(
      file,
      `zone: example.com
pools:
  - name: relays
    role: outbound
    hostname: smtp.example.com
    hosts:
      - { name: relay1.example.com, address: 127.0.2.40, port: ${smtpPort} }
      - { name: relay2.example.com, address: 127.0.2.42, port: ${smtpPort}, disabled: true }
probe: { interval: 5s, timeout: 2s, hold: false, starttls: off }
nameserver:
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
records:
  - { name: ns1.example.com, type: A, value: 192.0.2.53 }
  - { name: example.com, type: MX, value: 10 relay1.example.com. }
auth:
  spf: {}
`,
    );
    for (const args of [['--config', file], ['--config', file, '--all-healthy']]) {
      const text = await zoneCli(args);
      expect(text).toMatch(/"v=spf1 ip4:127\.0\.2\.40 -all"/);
      expect(text).not.toMatch(/127\.0\.2\.42/);
    }
  });

  it('a broken config exits 1 with file:line:col', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'zone: example.com\npools: 3\n');
    const error = await zoneCli(['--config', file]).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(error?.code).toBe(1);
    expect(error?.stderr).toMatch(/broken\.yaml:2:\d+: pools/);
  });
});
