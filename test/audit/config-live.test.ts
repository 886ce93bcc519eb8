// `mxpool audit --config F --live`: the zones of a config audited as they resolve live, against
// what the config says — here the top-level zone served by mxpool's own nameserver (DnsServer on
// 127.14.5.1) from desired(config) with one inbound host withdrawn (unhealthy: not a mismatch
// live), then with a relay missing from the SPF (pool-address-not-authorised).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../../src/dns/server.ts';
import { desired } from '../../src/desired.ts';
import { silentLogger } from '../../src/log.ts';
import type { Config } from '../../src/config/schema.ts';
import type { HealthSnapshot, RecordSet } from '../../src/model.ts';
import { health } from '../desired/fixtures.ts';
import { mailConfig, mailConfigYaml } from './helpers/config.ts';
import { runCli } from './helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ADDRESS = '127.14.5.1';
let server: DnsServer;
let nameserver: string;
let config: Config;
let configFile: string;

beforeAll(async () => {
  const base = mailConfig({ listen: `${ADDRESS}:5353` });
  config = { ...base, nameserver: { ...(base.nameserver as NonNullable<Config['nameserver']>), listen: [`${ADDRESS}:0`] } };
  server = new DnsServer({ nameserver: config.nameserver as NonNullable<Config['nameserver']>, zone: config.zone, logger: silentLogger });
  await server.start();
  nameserver = server.listening().udp[0] as string;
  const dir = tempDir('mxpool-config-live-');
  configFile = join(dir, 'mxpool.yaml');
  writeFileSync(configFile, mailConfigYaml({ listen: `${ADDRESS}:5353` }));
});

afterAll(async () => {
  await server?.stop();
});

function serve(snapshot: HealthSnapshot, mutate?: (sets: RecordSet[]) => void): void {
  const zone = desired(config, snapshot, { serial: Date.now() % 1_000_000_000, now: 0 });
  mutate?.(zone.sets);
  server.setZone(zone);
}

async function auditLive() {
  const result = await runCli(['audit', '--config', configFile, '--live', '--nameserver', nameserver, '--format', 'json', '--log-level', 'silent']);
  const report = JSON.parse(result.out) as { domains: { domain: string; source: string; findings: { id: string; message: string }[] }[]; summary: { domains: number; queries: number } };
  return { code: result.code, report, ids: [...new Set(report.domains.flatMap((d) => d.findings.map((f) => f.id)))].sort() };
}

describe('mxpool audit --config --live', () => {
  it('the published zone with an unhealthy inbound host withdrawn: no pool finding (only reverse DNS and the policy the static _mta-sts announces), a report of the config\'s zones', async () => {
    serve(health(config, { 'mx1.example.com': 'unhealthy' }));
    const { code, report, ids } = await auditLive();
    expect(report.domains.map((d) => [d.domain, d.source])).toEqual([['example.com', 'live']]);
    // the authoritative server refuses the reverse zone: not checked; and the config's static
    // `_mta-sts` record announces a policy nobody serves — fetched live as a sender would, it fails
    expect(ids).toEqual(['mta-sts-policy-unreachable', 'ptr-unchecked']);
    expect(report.domains[0]?.findings.find((f) => f.id === 'mta-sts-policy-unreachable')?.message).toBe('mta-sts.example.com has no A or AAAA record');
    expect(code).toBe(1);
    expect(report.summary.queries).toBeGreaterThan(0);
  });

  it('a relay missing from the live SPF: pool-address-not-authorised (exit 1)', async () => {
    serve(health(config, {}), (sets) => {
      const spf = sets.find((s) => s.name === 'example.com' && s.type === 'TXT') as RecordSet;
      spf.values = [{ data: { type: 'TXT', strings: ['v=spf1 ip4:192.0.2.20 ip4:198.51.100.0/24 -all'] } }];
    });
    const { code, report } = await auditLive();
    expect(code).toBe(1);
    expect(report.domains[0]?.findings.find((f) => f.id === 'pool-address-not-authorised')?.message).toMatch(/^192\.0\.2\.21: SPF fail/);
  });

  it('--live goes with --config only', async () => {
    expect((await runCli(['audit', '--domain', 'example.com', '--live'])).code).toBe(2);
  });
});
