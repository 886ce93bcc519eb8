// tenants[].dns: external — a customer zone whose DNS is kept elsewhere: mxpool neither serves nor
// syncs it (no tenant zone, `zone --zone` refuses it, `audit --config` publishes nothing to check),
// and the config refuses what only a served zone could use (records, providers, its own NS/SOA).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { servedTenants } from '../../src/tenants/parts.ts';
import { auditConfigZones } from '../../src/audit/tenant-audit.ts';
import { ISP_YAML, ispConfig } from './fixtures.ts';

const EXTERNAL = `  - zone: elsewhere.example
    dns: external
    mx: [{ pool: inbound }]
    dkim: [{ selector: s1, key: "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC" }]
`;

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'isp.yaml');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
}

describe('tenants[].dns', () => {
  it('defaults to served; external tenants are kept in the config but not published', () => {
    const config = ispConfig(`${ISP_YAML}${EXTERNAL}`);
    expect(config.tenants.find((t) => t.zone === 'customer1.example')?.dns).toBe('served');
    expect(config.tenants.find((t) => t.zone === 'elsewhere.example')?.dns).toBe('external');
    expect(servedTenants(config).map((t) => t.zone)).not.toContain('elsewhere.example');
    const zones = new TenantZones(config);
    zones.publish(config, { inbound: ['mx1.isp.example'], backup: ['mx9.isp.example'] }, new Date(0));
    expect(zones.zones().map((z) => z.zone)).toEqual(servedTenants(config).map((t) => t.zone));
    expect(zones.get('elsewhere.example')).toBeUndefined();
  });

  it('audit --config (the zones mxpool would publish) leaves the external tenant out', async () => {
    const reports = await auditConfigZones(ispConfig(`${ISP_YAML}${EXTERNAL}`), { now: 0 });
    expect(reports?.map((r) => r.domain)).not.toContain('elsewhere.example');
    expect(reports?.map((r) => r.domain)).toContain('customer1.example');
  });

  it('refuses records, providers and nameserver on an external tenant, and a value other than served/external', () => {
    const bad = `${EXTERNAL}    records: [{ name: www.elsewhere.example, type: CNAME, value: web.isp.example. }]
    providers: { route53: { hostedZoneId: Z9 } }
    nameserver: { ns: [ns.elsewhere.example] }
`;
    const found = problems(`${ISP_YAML}${bad}`);
    expect(found.some((p) => /tenants\.4\.records: .*no records \(dns: external: mxpool neither serves nor syncs this zone, it only audits it\)/.test(p)), found.join('\n')).toBe(true);
    expect(found.some((p) => /tenants\.4\.providers: .*no providers/.test(p)), found.join('\n')).toBe(true);
    expect(found.some((p) => /tenants\.4\.nameserver: .*no nameserver/.test(p)), found.join('\n')).toBe(true);
    const typo = problems(`${ISP_YAML}  - zone: x.example\n    dns: elsewhere\n`);
    expect(typo.some((p) => /tenants\.4\.dns: .*served or external/.test(p)), typo.join('\n')).toBe(true);
  });
});
