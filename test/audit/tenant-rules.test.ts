// The tenant rules over crafted zones: a customer zone checked against what the config says it
// must hold (MX on the ISP's inbound hosts, SPF pass for every outbound address, the configured
// DKIM keys, a DMARC record). Each case changes one thing and must produce exactly its tenant ids.
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run.ts';
import { zoneResolver } from '../../src/audit/zone-resolver.ts';
import type { TenantExpectation } from '../../src/audit/rules/tenant.ts';
import { cleanParts, dkimTxt, rsaPublicKey, zoneSets, type Part } from './helpers/zones.ts';

const KEY = /p=([A-Za-z0-9+/=]+)/.exec(cleanParts().dkim.replace(/" "/g, ''))?.[1] as string;
const STALE = rsaPublicKey(2048);

const tenant: TenantExpectation = {
  mxPools: [{ pool: 'inbound', names: ['mx1.example.com', 'mx2.example.com', 'mx.isp.example'] }],
  senders: ['192.0.2.20', '192.0.2.21'],
  dkim: [{ selector: 's1', key: `v=DKIM1; k=rsa; p=${KEY}` }],
  dmarc: true,
};

async function tenantIds(changes: Partial<Record<Part, string | null>>, extra: string[] = [], expectation: TenantExpectation = tenant) {
  const report = await runAudit({ domain: 'example.com', source: 'live', resolver: zoneResolver('example.com', zoneSets(changes, extra)), dkimSelectors: expectation.dkim.map((d) => d.selector), tenant: expectation, now: 0 });
  return { all: report.findings, tenant: [...new Set(report.findings.filter((f) => f.id.startsWith('tenant-')).map((f) => f.id))].sort() };
}

describe('tenant rules', () => {
  it('the clean zone holds what the config says: no tenant finding', async () => {
    expect((await tenantIds({})).tenant).toEqual([]);
  });

  it('MX on another provider: tenant-mx-elsewhere, naming the pool hosts', async () => {
    const { all, tenant: ids } = await tenantIds({ mx: '@ IN MX 10 mx.other.example.', mxHosts: 'mx.other.example. IN A 203.0.113.25' });
    expect(ids).toEqual(['tenant-mx-elsewhere']);
    expect(all.find((f) => f.id === 'tenant-mx-elsewhere')?.message).toMatch(/10 mx\.other\.example: none names a host of pool inbound \(mx1\.example\.com, mx2\.example\.com, mx\.isp\.example\)/);
    // one MX on a pool host is enough
    expect((await tenantIds({ mx: '@ IN MX 10 mx.other.example.\n@ IN MX 20 mx.isp.example.', mxHosts: 'mx.other.example. IN A 203.0.113.25\nmx.isp.example. IN A 192.0.2.10' })).tenant).toEqual([]);
  });

  it('no MX at all is elsewhere too', async () => {
    expect((await tenantIds({ mx: null })).tenant).toEqual(['tenant-mx-elsewhere']);
  });

  it('an SPF without the ISP\'s addresses (the include is missing): tenant-spf-not-authorised, with each address and result', async () => {
    const { all, tenant: ids } = await tenantIds({ spf: '@ IN TXT "v=spf1 include:_spf.partner.example -all"' });
    expect(ids).toEqual(['tenant-spf-not-authorised']);
    expect(all.find((f) => f.id === 'tenant-spf-not-authorised')?.message).toBe('2 of 2 outbound address(es) do not pass: 192.0.2.20 (fail), 192.0.2.21 (fail)');
    expect((await tenantIds({ spf: null })).tenant).toEqual(['tenant-spf-not-authorised']);
  });

  it('a stale DKIM key: tenant-dkim-mismatch; no key: tenant-dkim-missing', async () => {
    expect((await tenantIds({ dkim: `s1._domainkey IN TXT ${dkimTxt(`v=DKIM1; k=rsa; p=${STALE}`)}` })).tenant).toEqual(['tenant-dkim-mismatch']);
    const missing = await tenantIds({ dkim: null });
    expect(missing.tenant).toEqual(['tenant-dkim-missing']);
    expect(missing.all.map((f) => f.id)).toContain('dkim-missing'); // the generic rule as well
  });

  it('no DMARC record: tenant-dmarc-missing; none expected: nothing from the tenant rules', async () => {
    expect((await tenantIds({ dmarc: null })).tenant).toEqual(['tenant-dmarc-missing']);
    expect((await tenantIds({ dmarc: null }, [], { ...tenant, dmarc: false })).tenant).toEqual([]);
  });

  it('the pool-consistency and PTR rules stay with the top-level zone', async () => {
    const { all } = await tenantIds({ ptr: null });
    expect(all.filter((f) => f.id.startsWith('pool-') && !/mta-sts|tls-rpt/.test(f.id))).toEqual([]);
    expect(all.filter((f) => f.id.startsWith('ptr-'))).toEqual([]);
  });
});
