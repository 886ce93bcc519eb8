// The parts `serve` wires together that other components own: the nameserver, the provider syncers
// and the auditor. The daemon sees them through these narrow shapes; `realServices` (wiring.ts)
// builds them from the real modules.
import type { Config } from '../config/schema.ts';
import type { DesiredZone, HealthSnapshot } from '../model.ts';
import type { ApiAudit, ApiProviderSync } from '../http/types.ts';
import type { RetiredAddress } from '../auth/senders.ts';
import type { HygieneFacts } from '../audit/types.ts';
import type { CertDigests } from '../probe/types.ts';

import type { QueryCount } from '../dns/query-counts.ts';

export interface NameserverService {
  start(): Promise<void>;
  /** swaps the served zone at once and NOTIFYs secondaries */
  setZone(zone: DesiredZone): void;
  /** swaps in new versions of these zones (tenant zones), the others unchanged; NOTIFY per zone */
  setZones(zones: readonly DesiredZone[]): void;
  /** stops serving these zones (tenants a reload removed): their names are REFUSED from now on */
  removeZones?(zones: readonly string[]): void;
  stop(): Promise<void>;
  /** queries answered so far, by type, rcode and transport (read on demand: nothing runs per query) */
  queryCounts(): readonly QueryCount[];
  listen: string[];
  /** a reload: what the nameserver applies live (transfer.allow, transfer.notify); cannot fail */
  reconfigure?(config: Config): void;
}

export interface SyncResultEvent {
  provider: string;
  result: 'ok' | 'error' | 'unchanged';
  /** the serial of the zone the cycle synced */
  serial?: number;
  /** why it failed */
  error?: string;
  /** names another owner holds there: left as they are (not ours) */
  conflicts?: string[];
}

export interface SyncService {
  start(): void;
  /** hands the same desired set the nameserver got to every provider (applied on their schedule / at once) */
  push(zone: DesiredZone): void;
  status(): ApiProviderSync[];
  onSync(listener: (event: SyncResultEvent) => void): void;
  stop(): Promise<void>;
  /**
   * A reload, in two steps: builds what `next` needs (new provider clients; may throw, and the
   * reload is refused with nothing changed), and returns the step that swaps it in (cannot fail).
   */
  prepare?(next: Config): () => void;
}

/**
 * audits the published zone (as served, with the health and retired addresses it was built from,
 * what the relay checks found, and the certificate digests each host presented last)
 */
export type AuditService = (zone: DesiredZone, health: HealthSnapshot, retired?: readonly RetiredAddress[], hygiene?: HygieneFacts, presented?: ReadonlyMap<string, CertDigests>) => Promise<ApiAudit>;

/** The provider syncers of the tenant zones that have `providers:` (src: providers/sync/tenants.ts). */
export interface TenantSyncService {
  start(): void;
  /** hands each changed tenant zone to its syncer */
  push(zones: readonly DesiredZone[]): void;
  status(zone: string): ApiProviderSync[];
  onSync(listener: (event: SyncResultEvent & { zone: string }) => void): void;
  stop(): Promise<void>;
  /** a reload, in two steps as SyncService.prepare: tenants' syncers added, stopped, reconfigured */
  prepare?(next: Config): () => void;
}

export interface Services {
  nameserver?: (zone: DesiredZone) => NameserverService;
  syncer?: () => SyncService;
  tenantSyncers?: () => TenantSyncService;
  audit?: AuditService;
  /** the lowest TTL (seconds) a provider of `config` accepts (Cloudflare: 60); absent: none */
  ttlFloor?: (config: Config) => number;
  /** the providers `config` syncs the zone to, by name (`route53`, `cloudflare`) */
  providerNames?: (config: Config) => string[];
}
