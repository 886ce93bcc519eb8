// `mxpool zone --zone Z` as a child process: a tenant zone from one probe round (a real SMTP server
// is the healthy host, a closed port the dead one), accepted by named-checkzone; the top-level zone
// stays the default; a zone the config does not have is a usage error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { run } from '../dns/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir('mxpool-zone-tenant-');
const config = join(dir, 'mxpool.yaml');
let smtp: SMTPServer;

beforeAll(async () => {
  smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
  await new Promise<void>((resolve) => smtp.listen(0, '127.13.0.40', () => resolve()));
  const port = (smtp.server.address() as { port: number }).port;
  mkdirSync(join(dir, 'tenants.d'));
  writeFileSync(join(dir, 'tenants.d', 'shop.yaml'), 'zone: shop.example\nmx: [{ pool: inbound }]\ndkim: [{ selector: s1, key: "v=DKIM1; k=rsa; p=MIGf" }]\nrecords: [{ name: www.shop.example, type: A, value: 192.0.2.80 }]\n');
  writeFileSync(
    config,
    `zone: isp.example
pools:
  - name: inbound
    role: inbound
    mx: { name: isp.example, preference: 10 }
    hosts:
      - { name: mx1.isp.example, address: 127.13.0.40, port: ${port} }
      - { name: mx2.isp.example, address: 127.13.0.41, port: ${port} }
  - name: outbound
    role: outbound
    hosts: [{ name: relay1.isp.example, address: 127.13.0.40, port: ${port} }]
probe: { interval: 5s, timeout: 2s, hold: false, starttls: off }
auth: { spf: { sharedName: _spf.isp.example } }
nameserver:
  ns: [ns1.isp.example]
  soa: { mname: ns1.isp.example, rname: hostmaster.isp.example }
records: [{ name: ns1.isp.example, type: A, value: 192.0.2.53 }]
tenants:
  - { zone: customer1.example, mx: [{ pool: inbound, preference: 5 }], dmarc: { p: reject } }
tenantsFrom: tenants.d
`,
  );
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const zone = (...args: string[]) => run(process.execPath, ['src/cli.ts', 'zone', '--config', config, '--log-level', 'error', ...args], { timeout: 30_000 });

describe('mxpool zone --zone', () => {
  it('prints a tenant zone after one probe round: the dead host is not in its MX; named-checkzone accepts it', async () => {
    const { stdout } = await zone('--zone', 'customer1.example');
    expect(stdout).toMatch(/^; zone customer1\.example, serial \d{10}/);
    expect(stdout).toMatch(/^@\s+30 IN MX\s+5 mx1\.isp\.example\./m);
    expect(stdout).not.toMatch(/mx2\.isp\.example/);
    expect(stdout).toMatch(/"v=spf1 include:_spf\.isp\.example -all"/);
    const file = join(dir, 'customer1.zone');
    writeFileSync(file, stdout);
    const checked = await run('named-checkzone', ['customer1.example', file]);
    expect(checked.stdout).toMatch(/OK/);
  });

  it('a tenant from tenantsFrom with --all-healthy; the top-level zone (with the sharedName SPF) by default', async () => {
    const { stdout } = await zone('--zone', 'SHOP.example.', '--all-healthy');
    expect(stdout).toMatch(/mx1\.isp\.example\./);
    expect(stdout).toMatch(/mx2\.isp\.example\./);
    expect(stdout).toMatch(/^www\s+3600 IN A\s+192\.0\.2\.80/m);
    const file = join(dir, 'shop.zone');
    writeFileSync(file, stdout);
    expect((await run('named-checkzone', ['shop.example', file])).stdout).toMatch(/OK/);
    const top = await zone('--all-healthy');
    expect(top.stdout).toMatch(/^; zone isp\.example,/);
    expect(top.stdout).toMatch(/^_spf\s+30 IN TXT\s+"v=spf1 ip4:127\.13\.0\.40 -all"/m);
  }, 90_000); // two CLI processes, each loading the sources: tens of seconds on a loaded machine

  it('a zone the config does not have: exit 2 with the reason', async () => {
    const failed = await zone('--zone', 'nope.example', '--all-healthy').catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toMatch(/--zone nope\.example is not a zone of .*mxpool\.yaml \(its top-level zone is isp\.example; it has 2 tenant zones/);
  });
});
