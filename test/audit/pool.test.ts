// Pool consistency: the desired zone of a config, audited with the config, and one change each.
import { describe, expect, it } from 'vitest';
import { allHealthy, desired } from '../../src/desired.ts';
import type { HealthSnapshot, RecordSet } from '../../src/model.ts';
import type { Config } from '../../src/config/schema.ts';
import { runAudit } from '../../src/audit/run.ts';
import { zoneResolver } from '../../src/audit/zone-resolver.ts';
import { auditConfig, auditPublished } from '../../src/audit/desired-audit.ts';
import { mailConfig } from './helpers/config.ts';

// The reverse zone of the relays is not in the desired zone: PTR cannot be checked offline (info).
const OFFLINE = ['ptr-unchecked'];

async function auditWith(config: Config, options: { health?: HealthSnapshot; publishedWith?: HealthSnapshot; mutate?: (sets: RecordSet[]) => void } = {}) {
  const health = options.health ?? allHealthy(config, 0);
  const zone = desired(config, options.publishedWith ?? health, { serial: 1, now: 0 });
  options.mutate?.(zone.sets);
  return runAudit({ domain: 'example.com', source: 'desired', resolver: zoneResolver('example.com', zone.sets), config, health, now: 0 });
}

const ids = (report: { findings: { id: string }[] }) => [...new Set(report.findings.map((f) => f.id))].sort();

function setSpf(text: string) {
  return (sets: RecordSet[]) => {
    const set = sets.find((s) => s.name === 'example.com' && s.type === 'TXT') as RecordSet;
    set.values = [{ data: { type: 'TXT', strings: [text] } }];
  };
}

describe('pool consistency', () => {
  it('the desired zone of a complete config is clean (reverse DNS aside)', async () => {
    const report = await auditConfig(mailConfig(), { now: 0 });
    expect(ids(report)).toEqual(OFFLINE);
    expect(report.source).toBe('desired');
  });

  it('a relay missing from SPF: pool-address-not-authorised', async () => {
    const report = await auditWith(mailConfig(), { mutate: setSpf('v=spf1 ip4:192.0.2.20 ip4:198.51.100.0/24 -all') });
    expect(ids(report)).toEqual(['pool-address-not-authorised', ...OFFLINE].sort());
    expect(report.findings.find((f) => f.id === 'pool-address-not-authorised')?.message).toMatch(/^192\.0\.2\.21: SPF fail/);
  });

  it('an address no pool holds: pool-stale-authorisation (the configured extra is not stale)', async () => {
    const report = await auditWith(mailConfig(), { mutate: setSpf('v=spf1 ip4:192.0.2.20/31 ip4:192.0.2.99 ip4:198.51.100.0/24 -all') });
    expect(ids(report)).toEqual(['pool-stale-authorisation', ...OFFLINE].sort());
    expect(report.findings.find((f) => f.id === 'pool-stale-authorisation')?.message).toMatch(/"ip4:192\.0\.2\.99" covers 1 address\(es\), 0 of them held/);
  });

  it('a retired relay still in its grace period is not stale; after it, it is', async () => {
    const config = mailConfig();
    const zone = desired(config, allHealthy(config, 0), { serial: 1, now: 0, retired: [{ address: '192.0.2.77', until: 60_000 }] });
    const audit = (now: number) => auditPublished(config, zone.sets, allHealthy(config, 0), { now, retired: [{ address: '192.0.2.77', until: 60_000 }] });
    expect(ids(await audit(59_999))).toEqual(OFFLINE);
    expect(ids(await audit(60_000))).toEqual(['pool-stale-authorisation', ...OFFLINE].sort());
  });

  it('MX leading to an unhealthy host: pool-mx-mismatch; the zone built from the same health is clean', async () => {
    const config = mailConfig();
    const health = new Map(allHealthy(config, 0));
    health.set('mx2.example.com', { host: 'mx2.example.com', pool: 'inbound', state: 'unhealthy', since: 0 });
    const stale = await auditWith(config, { health, publishedWith: allHealthy(config, 0) });
    expect(ids(stale)).toEqual(['pool-mx-mismatch', ...OFFLINE].sort());
    expect(stale.findings.find((f) => f.id === 'pool-mx-mismatch')?.message).toMatch(/not healthy: 192\.0\.2\.11/);
    expect(ids(await auditWith(config, { health }))).toEqual(OFFLINE);
  });

  it('a TTL too long for failover: pool-ttl-too-long', async () => {
    const report = await auditWith(mailConfig({ ttl: 600 }));
    expect(ids(report)).toEqual(['pool-ttl-too-long', ...OFFLINE].sort());
  });

  it('p=none for a domain with relays: dmarc-policy-none', async () => {
    const report = await auditWith(mailConfig({ dmarc: '{ p: none, rua: ["mailto:dmarc@example.com"] }' }));
    expect(ids(report)).toEqual(['dmarc-policy-none', ...OFFLINE].sort());
  });
});
