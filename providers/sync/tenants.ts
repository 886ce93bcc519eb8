// The provider syncers of the tenant (customer) zones that have `providers:` of their own: one
// syncer per zone, like the top-level zone's (ownership, safety limits, debounce and hold-down, cron
// reconcile), sharing one limiter so that many zones changing at once — a health change touches
// every tenant of a pool — make one write per zone and provider, a few at a time.
import type { Config, TenantConfig } from '../../src/config/schema.ts';
import type { Logger } from '../../src/log.ts';
import type { DesiredZone } from '../../src/model.ts';
import type { Provider } from '../provider.ts';
import type { SyncOptions, SyncResult } from './reconcile.ts';
import { createSyncer, type ProviderStatus, type Scheduler, type SyncClock, type SyncEvent, type Syncer } from './syncer.ts';
import { limiter } from './limit.ts';

export interface TenantSyncEvent extends SyncEvent {
  zone: string;
}

export type TenantSyncResult = SyncResult & { zone: string };

export interface TenantSyncers {
  /** the tenant zones that have providers, in config order */
  readonly zones: readonly string[];
  start(): void;
  /** hands each zone to its syncer (zones without providers are ignored) */
  push(zones: readonly DesiredZone[]): void;
  syncOnce(zones: readonly DesiredZone[], options?: SyncOptions): Promise<TenantSyncResult[]>;
  status(zone: string): ProviderStatus[];
  onSync(listener: (event: TenantSyncEvent) => void): void;
  onResult(listener: (result: TenantSyncResult) => void): void;
  whenIdle(): Promise<void>;
  stop(): Promise<void>;
}

export interface TenantSyncersOptions {
  config: Config;
  logger: Logger;
  /** the providers of one tenant (its `providers:` settings) */
  providersFor: (tenant: TenantConfig) => Provider[];
  clock?: SyncClock;
  scheduler?: Scheduler;
  debounceMs?: number;
  holdDownMs?: number;
  dryRun?: boolean;
  /** reconciles at once across all tenant zones (default 8) */
  concurrency?: number;
}

export function createTenantSyncers(options: TenantSyncersOptions): TenantSyncers {
  const { config, logger } = options;
  const limit = limiter(options.concurrency ?? 8);
  const syncers = new Map<string, Syncer>();
  const listeners: Array<(event: TenantSyncEvent) => void> = [];
  const resultListeners: Array<(result: TenantSyncResult) => void> = [];
  for (const tenant of config.tenants) {
    if (!tenant.providers?.route53 && !tenant.providers?.cloudflare) continue;
    const zoneLogger = logger.child({ zone: tenant.zone });
    const syncer = createSyncer({
      config,
      logger: zoneLogger,
      providers: options.providersFor(tenant),
      schedules: { route53: tenant.providers.route53?.schedule, cloudflare: tenant.providers.cloudflare?.schedule },
      poolKeys: new Map(tenant.mx.length > 0 ? [[`${tenant.zone}/MX`, tenant.mx[0]?.pool as string]] : []),
      limit,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
      ...(options.holdDownMs !== undefined ? { holdDownMs: options.holdDownMs } : {}),
      ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
    });
    syncer.onSync((event) => {
      for (const listener of listeners) listener({ ...event, zone: tenant.zone });
    });
    syncer.onResult((result) => {
      for (const listener of resultListeners) listener({ ...result, zone: tenant.zone });
    });
    syncers.set(tenant.zone, syncer);
  }
  return {
    zones: [...syncers.keys()],
    start() {
      for (const syncer of syncers.values()) syncer.start();
    },
    push(zones) {
      for (const zone of zones) syncers.get(zone.zone)?.push(zone);
    },
    async syncOnce(zones, syncOptions) {
      const runs = zones.flatMap((zone) => {
        const syncer = syncers.get(zone.zone);
        return syncer ? [syncer.syncOnce(zone, syncOptions).then((results) => results.map((result) => ({ ...result, zone: zone.zone })))] : [];
      });
      return (await Promise.all(runs)).flat();
    },
    status(zone) {
      return syncers.get(zone)?.status() ?? [];
    },
    onSync(listener) {
      listeners.push(listener);
    },
    onResult(listener) {
      resultListeners.push(listener);
    },
    async whenIdle() {
      await Promise.all([...syncers.values()].map((syncer) => syncer.whenIdle()));
    },
    async stop() {
      await Promise.all([...syncers.values()].map((syncer) => syncer.stop()));
    },
  };
}
