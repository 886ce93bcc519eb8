// The provider syncers of the tenant (customer) zones that have `providers:` of their own: one
// syncer per zone, like the top-level zone's (ownership, safety limits, debounce and hold-down, cron
// reconcile), sharing one limiter so that many zones changing at once — a health change touches
// every tenant of a pool — make one write per zone and provider, a few at a time. A reload adds,
// stops and reconfigures them per tenant (`prepare`).
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
  /**
   * A config reload, in two steps. The first builds the providers of tenants that are new or whose
   * `providers:` changed (it may throw — e.g. a token variable not set — and then nothing changed);
   * the step it returns applies the new config and cannot fail: the syncers of tenants that left
   * (or dropped their providers) stop, new ones start, the others take the new config — a changed
   * one keeps its series of writes (a cycle in flight finishes before the next one starts).
   */
  prepare(next: Config): () => void;
}

export interface TenantSyncersOptions {
  config: Config;
  logger: Logger;
  /** the providers of one tenant (its `providers:` settings; ownerId from `config`, the one in force) */
  providersFor: (tenant: TenantConfig, config: Config) => Provider[];
  clock?: SyncClock;
  scheduler?: Scheduler;
  debounceMs?: number;
  holdDownMs?: number;
  dryRun?: boolean;
  /** reconciles at once across all tenant zones (default 8) */
  concurrency?: number;
}

export function createTenantSyncers(options: TenantSyncersOptions): TenantSyncers {
  const { logger } = options;
  let config = options.config;
  const limit = limiter(options.concurrency ?? 8);
  /** per tenant zone with providers: its syncer and what it was built from */
  const syncers = new Map<string, { syncer: Syncer; settings: string }>();
  const listeners: Array<(event: TenantSyncEvent) => void> = [];
  const resultListeners: Array<(result: TenantSyncResult) => void> = [];
  let started = false;

  function add(tenant: TenantConfig, providers: Provider[]): void {
    const syncer = createSyncer({
      config,
      logger: logger.child({ zone: tenant.zone }),
      providers,
      ...zoneSettings(tenant),
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
    syncers.set(tenant.zone, { syncer, settings: settingsOf(config, tenant) });
    if (started) syncer.start();
  }

  for (const tenant of withProviders(config)) add(tenant, options.providersFor(tenant, config));
  const all = () => [...syncers.values()].map((entry) => entry.syncer);
  return {
    get zones() {
      return [...syncers.keys()];
    },
    start() {
      started = true;
      for (const syncer of all()) syncer.start();
    },
    push(zones) {
      for (const zone of zones) syncers.get(zone.zone)?.syncer.push(zone);
    },
    async syncOnce(zones, syncOptions) {
      const runs = zones.flatMap((zone) => {
        const syncer = syncers.get(zone.zone)?.syncer;
        return syncer ? [syncer.syncOnce(zone, syncOptions).then((results) => results.map((result) => ({ ...result, zone: zone.zone })))] : [];
      });
      return (await Promise.all(runs)).flat();
    },
    status(zone) {
      return syncers.get(zone)?.syncer.status() ?? [];
    },
    onSync(listener) {
      listeners.push(listener);
    },
    onResult(listener) {
      resultListeners.push(listener);
    },
    async whenIdle() {
      await Promise.all(all().map((syncer) => syncer.whenIdle()));
    },
    async stop() {
      await Promise.all(all().map((syncer) => syncer.stop()));
    },
    prepare(next) {
      const plans = withProviders(next).map((tenant) => {
        const current = syncers.get(tenant.zone);
        const settings = settingsOf(next, tenant);
        const providers = current?.settings === settings ? current.syncer.providers() : options.providersFor(tenant, next);
        return { tenant, settings, providers, current };
      });
      return () => {
        config = next;
        const kept = new Set(plans.map((plan) => plan.tenant.zone));
        for (const [zone, entry] of syncers) {
          if (kept.has(zone)) continue;
          syncers.delete(zone);
          void entry.syncer.stop(); // a cycle in flight finishes; nothing new starts
        }
        for (const plan of plans) {
          if (!plan.current) {
            add(plan.tenant, plan.providers);
            continue;
          }
          plan.current.syncer.reconfigure(next, plan.providers, zoneSettings(plan.tenant));
          plan.current.settings = plan.settings;
        }
      };
    },
  };
}

function withProviders(config: Config): TenantConfig[] {
  return config.tenants.filter((tenant) => tenant.providers?.route53 || tenant.providers?.cloudflare);
}

/** A tenant syncer's own cron schedules and pool record keys. */
function zoneSettings(tenant: TenantConfig): { schedules: Partial<Record<string, string>>; poolKeys: ReadonlyMap<string, string> } {
  return {
    schedules: { route53: tenant.providers?.route53?.schedule, cloudflare: tenant.providers?.cloudflare?.schedule },
    poolKeys: new Map(tenant.mx.length > 0 ? [[`${tenant.zone}/MX`, tenant.mx[0]?.pool as string]] : []),
  };
}

/** What a tenant's providers are built from: a change rebuilds them (the owner id counts too). */
function settingsOf(config: Config, tenant: TenantConfig): string {
  return JSON.stringify([tenant.providers, config.providers?.ownerId ?? 'mxpool']);
}
