// `audit --config F --live`: the zones a config names, each with what it must hold — the top-level
// zone with the config itself (pool rules against the live records), each tenant with a
// TenantExpectation built here from the config (tenant rules). PURE.
import type { Config } from '../../config/schema.ts';
import type { ZoneJob } from './run.ts';

/** The outbound addresses that may send (every enabled host of every outbound pool). */
export function senders(config: Config): string[] {
  return [...new Set(config.pools.filter((pool) => pool.role === 'outbound').flatMap((pool) => pool.hosts.filter((host) => !host.disabled).map((host) => host.address.toLowerCase())))];
}

export function configZoneJobs(config: Config): ZoneJob[] {
  return [{ domain: config.zone, dkimSelectors: config.auth.dkim.map((entry) => entry.selector), config }];
}
