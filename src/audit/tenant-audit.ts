// `audit --config F`: every zone the config publishes, audited before any record goes out — the
// top-level zone as before, and each tenant (customer) zone as a domain of its own with the tenant
// rules (src/audit/rules/tenant.ts: its MX on the pools the config gives it, its SPF passing for
// every outbound address, its DKIM keys and DMARC), from the same jobs as `audit --config --live`
// (src/audit/fleet/config-zones.ts). Here the records are the desired ones: a tenant's names are
// answered from its zone, then from the top-level zone (where the MX hosts and
// auth.spf.sharedName live), then — with --nameserver — from live DNS.
import type { Config } from '../config/schema.ts';
import { allHealthy, desired } from '../desired.ts';
import { TenantZones } from '../tenants/zones.ts';
import { configZoneJobs } from './fleet/config-zones.ts';
import { liveResolver } from './live-resolver.ts';
import { runAudit, type AuditReport } from './run.ts';
import { zoneResolver } from './zone-resolver.ts';

/**
 * Audits the zones the config publishes, with every host healthy: all of them (the top-level zone
 * first), or the one named `zone`. Undefined when `zone` is not one of them.
 */
export async function auditConfigZones(config: Config, options: { zone?: string; nameserver?: string; now?: number } = {}): Promise<AuditReport[] | undefined> {
  const wanted = options.zone?.toLowerCase().replace(/\.$/, '');
  // a dns: external tenant has no zone here (mxpool does not publish it): `audit --config --live` checks it
  const jobs = configZoneJobs(config, 'served').filter((job) => wanted === undefined || job.domain === wanted);
  if (jobs.length === 0) return undefined;
  const now = options.now ?? Date.now();
  const health = allHealthy(config, now);
  const top = desired(config, health, { serial: 1, now });
  const outside = options.nameserver ? liveResolver({ nameserver: options.nameserver }) : undefined;
  const topResolver = zoneResolver(config.zone, top.sets, outside);
  const tenants = new TenantZones(config);
  if (jobs.some((job) => job.tenant)) tenants.publish(config, top.published ?? {}, new Date(now));
  const reports: AuditReport[] = [];
  for (const job of jobs) {
    const zone = tenants.get(job.domain);
    const resolver = zone ? zoneResolver(job.domain, zone.sets, topResolver) : topResolver;
    reports.push(await runAudit({ domain: job.domain, source: 'desired', resolver, dkimSelectors: job.dkimSelectors, health, now, ...(job.config ? { config: job.config } : {}), ...(job.tenant ? { tenant: job.tenant } : {}) }));
  }
  return reports;
}
