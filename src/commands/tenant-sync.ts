// `plan` and `sync --once` over the tenant zones that have providers of their own: the same one
// probe round decides every zone (the top-level zone's published hosts give the tenants' MX), then
// each tenant zone is planned (or synced) at its own providers. Results name their zone.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { DesiredZone } from '../model.ts';
import { TenantZones } from '../tenants/zones.ts';
import { createTenantProviders, createTenantSyncers, type SyncOptions, type SyncResult, type TenantSyncResult } from '../../providers/index.ts';

/** True when some tenant has a provider (the one named by `only`, when given). */
export function tenantsHaveProviders(config: Config, only?: string): boolean {
  return config.tenants.some((tenant) => (only === undefined ? Boolean(tenant.providers?.route53 || tenant.providers?.cloudflare) : Boolean((tenant.providers as Record<string, unknown> | undefined)?.[only])));
}

/** The tenant zones for this snapshot, given the top-level zone built from it. */
export function tenantZonesFor(config: Config, top: DesiredZone): DesiredZone[] {
  const tenants = new TenantZones(config);
  tenants.publish(config, top.published ?? {}, new Date());
  return tenants.zones();
}

/** Plans or syncs every tenant zone that has providers (only provider `only`, when given). */
export async function syncTenants(config: Config, logger: Logger, top: DesiredZone, only: string | undefined, options: SyncOptions): Promise<TenantSyncResult[]> {
  if (!tenantsHaveProviders(config, only)) return [];
  const syncers = createTenantSyncers({
    config,
    logger,
    providersFor: (tenant) => createTenantProviders(config, tenant, logger).filter((provider) => only === undefined || provider.name === only),
    scheduler: { schedule: () => ({ stop() {} }) },
  });
  try {
    return await syncers.syncOnce(tenantZonesFor(config, top), options);
  } finally {
    await syncers.stop();
  }
}

/** A result's zone, for the text output: the tenant zone's, or none for the top-level zone. */
export function zoneOf(result: SyncResult | TenantSyncResult): string | undefined {
  return 'zone' in result ? result.zone : undefined;
}
