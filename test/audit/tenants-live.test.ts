// The tenant rules end to end on real DNS: NSD (127.14.8.1:53) serves generated customer zones with
// seeded defects; each customer is a `dns: external` tenant (one file each in tenantsFrom) of a
// config whose pools are the ISP's (isp.test: MX hosts mx1/mx2, relays in 127.14.2.0/28, the DKIM
// key the ISP signs with). The zones of the config are audited live over one resolver, as
// `audit --config F --live` does — and by that command itself; every tenant defect found with its
// tenant- id, nothing from the tenant rules on the clean ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { liveDns } from '../../src/audit/live-resolver.ts';
import { auditZones } from '../../src/audit/fleet/run.ts';
import { configZoneJobs } from '../../src/audit/fleet/config-zones.ts';
import { buildFleet, type Fleet } from '../helpers/fleet/zones.ts';
import { TENANT_IDS, writeIspConfig } from '../helpers/fleet/isp-config.ts';
import { blackHole, startNsd, type Nsd } from '../helpers/fleet/nsd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { runCli } from './helpers/cli.ts';

const NS = '127.14.8.1';
const LAME = '127.14.8.2';
const DEAD = '127.14.8.99';

let fleet: Fleet;
let nsd: Nsd;
let hole: Awaited<ReturnType<typeof blackHole>>;
let config: Config;
let configFile: string;

beforeAll(async () => {
  fleet = buildFleet({ count: 60, addresses: { ns: NS, lame: LAME, dead: DEAD }, defectEvery: 2, dead: 1, lame: 1, servfail: 1 });
  nsd = await startNsd({ addresses: [NS, LAME], zones: fleet.zones });
  hole = await blackHole(DEAD);
  configFile = writeIspConfig(tempDir('mxpool-tenants-live-'), fleet);
  config = loadConfig(configFile);
}, 60_000);

afterAll(async () => {
  await hole?.close();
  await nsd?.stop();
});

describe('tenants audited live', () => {
  it('every tenant defect with its id; the clean tenants without any tenant finding', async () => {
    const jobs = configZoneJobs(config, 'all');
    expect(jobs.map((j) => j.domain).sort()).toEqual(['isp.test', ...fleet.domains.map((d) => d.domain)].sort());
    // external tenants are not among the zones mxpool publishes (audit --config without --live)
    expect(configZoneJobs(config, 'served').map((j) => j.domain)).toEqual(['isp.test']);
    expect(jobs.find((j) => j.domain === fleet.domains[0]!.domain)?.tenant).toEqual({
      mxPools: [{ pool: 'inbound', names: ['mx1.isp.test', 'mx2.isp.test'] }],
      senders: ['127.14.2.1', '127.14.2.2'],
      dkim: [{ selector: 's1', key: `v=DKIM1; k=rsa; p=${fleet.keys.current}` }],
      dmarc: true,
    });
    const dns = liveDns({ nameserver: `${NS}:53`, timeoutMs: 2000 });
    try {
      const report = await auditZones({ jobs: jobs.slice(1), dns, concurrency: 16 });
      const byDomain = new Map(report.domains.map((d) => [d.domain, d]));
      for (const expected of fleet.domains) {
        const findings = byDomain.get(expected.domain)?.findings ?? [];
        const ids = [...new Set(findings.filter((f) => f.id.startsWith('tenant-') || f.id === 'dns-temperror').map((f) => f.id))].sort();
        expect(ids, `${expected.domain} (${expected.defect}): ${JSON.stringify(findings)}`).toEqual(TENANT_IDS[expected.defect]);
        if (expected.defect === 'clean') expect(findings.filter((f) => f.severity !== 'info'), expected.domain).toEqual([]);
      }
      const noIsp = fleet.domains.find((d) => d.defect === 'spf-no-isp')!.domain;
      expect(byDomain.get(noIsp)?.findings.find((f) => f.id === 'tenant-spf-not-authorised')?.message).toBe('2 of 2 outbound address(es) do not pass: 127.14.2.1 (fail), 127.14.2.2 (fail)');
      expect(new Set(fleet.domains.map((d) => d.defect)).size).toBe(15);
    } finally {
      dns.close();
    }
  });

  it('mxpool audit --config F --live: the same verdicts from the command, JSON of every zone, exit 1', async () => {
    const { code, out } = await runCli(['audit', '--config', configFile, '--live', '--nameserver', `${NS}:53`, '--timeout', '2s', '--format', 'json', '--log-level', 'silent']);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { domains: { domain: string; findings: { id: string }[] }[]; summary: { domains: number; queries: number } };
    expect(report.summary.domains).toBe(fleet.domains.length + 1);
    expect(report.summary.queries).toBeGreaterThan(0);
    const byDomain = new Map(report.domains.map((d) => [d.domain, d]));
    for (const expected of fleet.domains) {
      const ids = [...new Set((byDomain.get(expected.domain)?.findings ?? []).filter((f) => f.id.startsWith('tenant-') || f.id === 'dns-temperror').map((f) => f.id))].sort();
      expect(ids, `${expected.domain} (${expected.defect})`).toEqual(TENANT_IDS[expected.defect]);
    }
    // --zone picks one external tenant
    const one = fleet.domains.find((d) => d.defect === 'dkim-missing')!.domain;
    const single = await runCli(['audit', '--config', configFile, '--live', '--zone', one, '--nameserver', `${NS}:53`, '--timeout', '2s', '--format', 'json', '--log-level', 'silent']);
    const parsed = JSON.parse(single.out) as { domains: { domain: string; findings: { id: string }[] }[] };
    expect(parsed.domains.map((d) => d.domain)).toEqual([one]);
    expect(parsed.domains[0]!.findings.map((f) => f.id)).toContain('tenant-dkim-missing');
  });
});
