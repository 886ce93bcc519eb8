// The audit and spf commands in-process through main(): exit codes, formats, usage errors; and end
// to end against the built-in nameserver on 127.0.5.x (DnsServer serving desired(config)).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.ts';
import { DnsServer } from '../../src/dns/server.ts';
import { allHealthy, desired } from '../../src/desired.ts';
import { silentLogger } from '../../src/log.ts';
import type { Config } from '../../src/config/schema.ts';
import { mailConfig } from './helpers/config.ts';
import { parseConfig } from '../../src/config/load.ts';
import { zoneText } from './helpers/zones.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const run = runCli;

const dir = tempDir('mxpool-audit-');
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('mxpool audit --config', () => {
  it('the example config audits clean: exit 0, infos only', async () => {
    const { code, out } = await run(['audit', '--config', 'config/mxpool.example.yaml', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { findings: { severity: string }[]; summary: { errors: number; warnings: number } };
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(report.findings.every((f) => f.severity === 'info')).toBe(true);
  });

  it('exits 1 on an error finding, and on a warning only with --fail-on warning', async () => {
    const base = 'zone: example.com\npools:\n  - { name: out, role: outbound, hosts: [ { name: r1.example.com, address: 192.0.2.20 } ] }\n';
    const errorConfig = file('error.yaml', `${base}auth:\n  spf: {}\n  dkim: [ { selector: s1, key: "v=DKIM1; k=rsa; p=" } ]\n`);
    const revoked = await run(['audit', '--config', errorConfig]);
    expect(revoked.code).toBe(1);
    expect(revoked.out).toMatch(/error\s+dkim-revoked/);
    const warningConfig = file('warning.yaml', `${base}auth:\n  spf: {}\n  dmarc: { p: none, rua: ["mailto:d@example.com"] }\n`);
    expect((await run(['audit', '--config', warningConfig])).code).toBe(0);
    const strict = await run(['audit', '--config', warningConfig, '--fail-on', 'warning', '--format', 'markdown']);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/\| ⚠️ warning \| `dmarc-policy-none` \|/);
  });

  it('usage errors exit 2', async () => {
    expect((await run(['audit'])).code).toBe(2);
    expect((await run(['audit', '--config', 'config/mxpool.example.yaml', '--domain', 'example.com'])).code).toBe(2);
    expect((await run(['audit', '--domain', 'example.com', '--format', 'xml'])).code).toBe(2);
    expect((await run(['audit', '--domain', 'not a domain', '--nameserver', '127.0.5.9:53'])).code).toBe(2);
    expect((await run(['audit', '--domain', 'example.com', '--nameserver', 'nowhere'])).code).toBe(2);
  });
});

describe('mxpool spf --zone', () => {
  const zone = file('example.com.zone', zoneText());
  it('prints the result first, exit 0 whatever the result', async () => {
    const pass = await run(['spf', '--domain', 'example.com', '--ip', '198.51.100.77', '--zone', zone]);
    expect(pass.code).toBe(0);
    expect(pass.out.split('\n')[0]).toBe('pass');
    const fail = await run(['spf', '--domain', 'example.com', '--ip', '203.0.113.1', '--zone', zone, '--sender', 'alice']);
    expect(fail.code).toBe(0);
    expect(fail.out.split('\n')[0]).toBe('fail');
    expect(fail.out).toMatch(/alice@example\.com/);
  });

  it('--explain adds the lookup tree', async () => {
    const { out } = await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.20', '--zone', zone, '--explain']);
    expect(out).toMatch(/^pass\n/);
    expect(out).toMatch(/└─ include:_spf\.partner\.example \[1 lookup\]: v=spf1 ip4:198\.51\.100\.0\/24 -all/);
    expect(out).toMatch(/total: 1 DNS lookup\(s\) \(limit 10\), 0 void \(limit 2\)/);
  });

  it('none for a domain without SPF, permerror for a broken record', async () => {
    const none = file('none.zone', zoneText({ spf: null }));
    expect((await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.20', '--zone', none])).out.split('\n')[0]).toBe('none');
    const broken = file('broken.zone', zoneText({ spf: '@ IN TXT "v=spf1 ip4:192.0.2.300 -all"' }));
    expect((await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.20', '--zone', broken])).out.split('\n')[0]).toBe('permerror');
  });

  it('usage errors exit 2', async () => {
    expect((await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.20'])).code).toBe(2);
    expect((await run(['spf', '--domain', 'example.com', '--ip', 'x', '--zone', zone])).code).toBe(2);
    expect((await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.20', '--zone', join(dir, 'missing.zone')])).code).toBe(2);
    expect((await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.20', '--zone', zone, '--sender', 'a@other.example'])).code).toBe(2);
  });
});

describe('end to end against the built-in nameserver', () => {
  let server: DnsServer;
  let nameserver: string;
  let config: Config;

  beforeAll(async () => {
    const base = mailConfig();
    config = { ...base, nameserver: { ...(base.nameserver as NonNullable<Config['nameserver']>), listen: ['127.0.5.1:0'] } };
    server = new DnsServer({ nameserver: config.nameserver as NonNullable<Config['nameserver']>, zone: config.zone, logger: silentLogger });
    await server.start();
    // no _mta-sts record: a live audit would fetch its policy, which nothing here serves
    const zone = desired(config, allHealthy(config, 0), { serial: 1, now: 0 });
    server.setZone({ ...zone, sets: zone.sets.filter((set) => set.name !== '_mta-sts.example.com') });
    nameserver = server.listening().udp[0] as string;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('audit --domain --nameserver: clean, exit 0; reverse DNS refused by an authoritative-only server and no MTA-STS are info', async () => {
    const { code, out } = await run(['audit', '--domain', 'example.com', '--dkim-selector', 's1', '--nameserver', nameserver, '--format', 'json']);
    const report = JSON.parse(out) as { domain: string; source: string; findings: { id: string; severity: string }[]; summary: object };
    expect(code).toBe(0);
    expect(Object.keys(report)).toEqual(['domain', 'source', 'generatedAt', 'findings', 'summary']);
    expect(report).toMatchObject({ domain: 'example.com', source: 'live' });
    expect([...new Set(report.findings.map((f) => f.id))].sort()).toEqual(['mta-sts-missing', 'ptr-unchecked']);
  });

  it('audit --domain finds a defect served live (missing DKIM selector) with its rule, record and RFC', async () => {
    const { code, out } = await run(['audit', '--domain', 'example.com', '--dkim-selector', 's1', '--dkim-selector', 'old', '--nameserver', nameserver, '--format', 'sarif']);
    expect(code).toBe(1);
    const sarif = JSON.parse(out) as { version: string; runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } }; results: { ruleId: string; level: string; message: { text: string }; locations: { logicalLocations: { name: string }[] }[] }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    const result = sarif.runs[0]?.results.find((r) => r.ruleId === 'dkim-missing');
    expect(result).toMatchObject({ level: 'error' });
    expect(result?.locations[0]?.logicalLocations[0]?.name).toBe('old._domainkey.example.com TXT');
    expect(result?.message.text).toMatch(/RFC 6376 3\.6\.2\.2/);
    expect(sarif.runs[0]?.tool.driver.rules.find((r) => r.id === 'spf-too-many-lookups')?.helpUri).toBe('https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4');
  });

  it('spf --nameserver: pass for a relay, fail for a stranger', async () => {
    const relay = await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.21', '--nameserver', nameserver]);
    expect(relay.out.split('\n')[0]).toBe('pass');
    const stranger = await run(['spf', '--domain', 'example.com', '--ip', '203.0.113.9', '--nameserver', nameserver, '--explain']);
    expect(stranger.out.split('\n')[0]).toBe('fail');
    expect(stranger.out).toMatch(/example\.com: v=spf1 ip4:192\.0\.2\.20\/31 ip4:198\.51\.100\.0\/24 -all/);
  });

  it('audit --config resolves names outside the zone only through --nameserver', async () => {
    const partner = parseConfig(`zone: example.net
pools:
  - { name: out, role: outbound, hosts: [ { name: relay.example.net, address: 198.51.100.5 } ] }
auth:
  spf: {}
records:
  - { name: _spf.example.net, type: TXT, value: "v=spf1 ip4:203.0.113.0/24 -all" }
nameserver:
  listen: ["127.0.5.3:5353"]
  ns: [ns1.example.net]
  soa: { mname: ns1.example.net, rname: hostmaster.example.net }
`);
    const partnerServer = new DnsServer({ nameserver: { ...(partner.nameserver as NonNullable<Config['nameserver']>), listen: ['127.0.5.3:0'] }, zone: 'example.net', logger: silentLogger });
    await partnerServer.start();
    try {
      partnerServer.setZone(desired(partner, allHealthy(partner, 0), { serial: 1, now: 0 }));
      const withInclude = file('with-include.yaml', 'zone: example.com\npools:\n  - { name: out, role: outbound, hosts: [ { name: r1.example.com, address: 192.0.2.20 } ] }\nauth:\n  spf: { include: [_spf.example.net] }\n  dmarc: { p: reject, rua: ["mailto:d@example.com"] }\n');
      const offline = await run(['audit', '--config', withInclude, '--format', 'json']);
      expect(JSON.parse(offline.out).findings.map((f: { id: string }) => f.id)).toContain('spf-unresolvable');
      const online = await run(['audit', '--config', withInclude, '--format', 'json', '--nameserver', partnerServer.listening().udp[0] as string]);
      const ids = JSON.parse(online.out).findings.map((f: { id: string }) => f.id) as string[];
      expect(ids).not.toContain('spf-unresolvable');
      expect(online.out).not.toMatch(/outside zone/);
      expect(online.code).toBe(0);
    } finally {
      await partnerServer.stop();
    }
  });

  it('a dead nameserver is a temperror, not a hang or a crash', async () => {
    const { code, out } = await run(['spf', '--domain', 'example.com', '--ip', '192.0.2.21', '--nameserver', '127.0.5.2:9']);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('temperror');
  });
});
