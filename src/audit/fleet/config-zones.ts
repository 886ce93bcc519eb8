// `audit --config F --live`: the zones a config names, each with what it must hold — the top-level
// zone with the config itself (pool rules against the live records), each tenant with a
// TenantExpectation built here from the config (tenant rules). PURE.
import type { Config, TenantConfig } from '../../config/schema.ts';
import type { TenantExpectation } from '../rules/tenant.ts';
import type { ZoneJob } from './run.ts';

/** The outbound addresses that may send (every enabled host of every outbound pool). */
export function senders(config: Config): string[] {
  return [...new Set(config.pools.filter((pool) => pool.role === 'outbound').flatMap((pool) => pool.hosts.filter((host) => !host.disabled).map((host) => host.address.toLowerCase())))];
}

/** The names an MX of a tenant given `pool` may name: the pool's hosts and its shared hostname. */
function mxNames(config: Config, poolName: string): string[] {
  const pool = config.pools.find((p) => p.name === poolName);
  if (!pool) return [];
  return [...new Set([...pool.hosts.map((host) => host.name.toLowerCase()), ...(pool.hostname ? [pool.hostname.toLowerCase()] : [])])];
}

export function tenantExpectation(config: Config, tenant: TenantConfig): TenantExpectation {
  return {
    mxPools: tenant.mx.map((entry) => ({ pool: entry.pool, names: mxNames(config, entry.pool) })),
    senders: senders(config),
    dkim: tenant.dkim.map((entry) => ({ selector: entry.selector, key: entry.key })),
    dmarc: tenant.dmarc !== undefined,
  };
}

/**
 * The top-level zone, then every tenant in config order. `served`: only the zones mxpool publishes
 * (`audit --config`, which audits what it would publish); `all` adds the `dns: external` tenants,
 * whose DNS lives elsewhere (`audit --config --live` checks them there).
 */
export function configZoneJobs(config: Config, which: 'served' | 'all'): ZoneJob[] {
  const top: ZoneJob = { domain: config.zone, dkimSelectors: config.auth.dkim.map((entry) => entry.selector), config };
  const tenants = config.tenants.filter((tenant) => which === 'all' || tenant.dns !== 'external').map((tenant): ZoneJob => ({ domain: tenant.zone, dkimSelectors: tenant.dkim.map((entry) => entry.selector), config, tenant: tenantExpectation(config, tenant) }));
  return [top, ...tenants];
}
