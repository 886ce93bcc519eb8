// The provider loop for `serve`: a full reconcile of each provider on its cron schedule (repairing
// drift), and health transitions pushed at once — debounced, and held down so a flapping host
// costs at most one write per rise/fall cycle. One provider's cycles run in series. A config reload
// hands over the new config and providers (`reconfigure`); a provider that stays keeps its series.
import cron from 'node-cron';
import type { Config } from '../../src/config/schema.ts';
import type { Logger } from '../../src/log.ts';
import type { DesiredZone } from '../../src/model.ts';
import type { Provider } from '../provider.ts';
import { reconcile, type ReconcileContext, type SyncOptions, type SyncResult } from './reconcile.ts';

export interface SyncClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Scheduler {
  schedule(expression: string, run: () => void): { stop(): void };
}

export interface ProviderStatus {
  name: string;
  at: number | null;
  ok: boolean | null;
  changes: number;
  error: string | null;
}

export interface SyncEvent {
  provider: string;
  result: 'ok' | 'error' | 'unchanged';
  /** the serial of the zone this cycle synced: on success the provider holds its records */
  serial: number;
  /** why it failed */
  error?: string;
  /** names left as they are because another owner holds them (the provider does not carry ours) */
  conflicts?: string[];
}

export interface SyncerOptions {
  config: Config;
  logger: Logger;
  providers: Provider[];
  clock?: SyncClock;
  scheduler?: Scheduler;
  /** how long a push waits for more transitions of the same moment (default 250 ms) */
  debounceMs?: number;
  /** least time between two pushed writes (default (rise + fall) x probe.interval) */
  holdDownMs?: number;
  /** pushes and cron cycles only plan (`mxpool sync --dry-run`) */
  dryRun?: boolean;
  /** a tenant zone's syncer: its own cron schedules and pool record keys (default: the top-level zone's) */
  schedules?: Partial<Record<string, string>>;
  poolKeys?: ReadonlyMap<string, string>;
  /** runs each reconcile (a limiter shared by the syncers of many zones); default: at once */
  limit?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface Syncer {
  start(): void;
  push(desired: DesiredZone): void;
  syncOnce(desired: DesiredZone, options?: SyncOptions): Promise<SyncResult[]>;
  status(): ProviderStatus[];
  onSync(listener: (event: SyncEvent) => void): void;
  /** every cycle's full result, dry runs included (for printing plans) */
  onResult(listener: (result: SyncResult) => void): void;
  /** resolves when every cycle started so far has finished */
  whenIdle(): Promise<void>;
  /** the providers synced now */
  providers(): Provider[];
  /**
   * A reload: plans use `config` from now on, the cron schedules are re-armed, `providers` replace
   * the current ones (a provider of the same name queues behind the cycle it may have in flight),
   * and a provider that is new or was rebuilt gets the latest zone at once.
   */
  reconfigure(config: Config, providers: Provider[], zone?: Pick<SyncerOptions, 'schedules' | 'poolKeys'>): void;
  stop(): Promise<void>;
}

export const realClock: SyncClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const cronScheduler: Scheduler = {
  schedule(expression, run) {
    const task = cron.schedule(expression, run);
    return { stop: () => void task.stop() };
  },
};

function scheduleOf(config: Config, provider: string): string | undefined {
  const providers = config.providers as Record<string, { schedule?: string } | undefined> | undefined;
  return providers?.[provider]?.schedule;
}

export function createSyncer(options: SyncerOptions): Syncer {
  const { logger } = options;
  let { config, providers, schedules } = options;
  const clock = options.clock ?? realClock;
  const scheduler = options.scheduler ?? cronScheduler;
  const debounceMs = options.debounceMs ?? 250;
  const holdDownMs = () => options.holdDownMs ?? (config.probe.rise + config.probe.fall) * config.probe.interval;
  const context: ReconcileContext = { config, logger, now: () => clock.now(), logged: new Set(), ...(options.poolKeys ? { poolKeys: options.poolKeys } : {}) };
  const limit = options.limit ?? ((work) => work());
  const statuses = new Map<string, ProviderStatus>(providers.map((p) => [p.name, { name: p.name, at: null, ok: null, changes: 0, error: null }]));
  const chains = new Map<string, Promise<unknown>>();
  const listeners: Array<(event: SyncEvent) => void> = [];
  const resultListeners: Array<(result: SyncResult) => void> = [];
  const tasks: Array<{ stop(): void }> = [];
  let latest: DesiredZone | undefined;
  let timer: unknown;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let started = false;
  let stopped = false;

  function schedule(): void {
    for (const provider of providers) {
      const expression = schedules ? schedules[provider.name] : scheduleOf(config, provider.name);
      if (!expression) continue;
      tasks.push(
        scheduler.schedule(expression, () => {
          if (stopped || !latest) return;
          void runFor(provider, latest, { dryRun: options.dryRun ?? false });
        }),
      );
    }
  }

  function record(result: SyncResult, dryRun: boolean, serial: number): void {
    for (const listener of resultListeners) listener(result);
    if (dryRun) return;
    const changes = result.applied ? (result.plan?.changes.length ?? 0) : 0;
    statuses.set(result.provider, { name: result.provider, at: result.at, ok: result.ok, changes, error: result.error ?? null });
    if (result.applied) lastWriteAt = clock.now();
    const event: SyncEvent = { provider: result.provider, result: !result.ok ? 'error' : result.applied ? 'ok' : 'unchanged', serial };
    if (result.error !== undefined) event.error = result.error;
    if (result.plan && result.plan.conflicts.length > 0) event.conflicts = result.plan.conflicts.map((conflict) => conflict.name);
    for (const listener of listeners) listener(event);
  }

  /** Queues one provider's cycle behind its previous one (changes to one zone go in series). */
  function runFor(provider: Provider, desired: DesiredZone, syncOptions: SyncOptions): Promise<SyncResult> {
    const previous = chains.get(provider.name) ?? Promise.resolve();
    const run = previous.then(() => limit(() => reconcile(provider, desired, syncOptions, context)));
    const settled = run.then((result) => record(result, syncOptions.dryRun ?? false, desired.serial));
    chains.set(provider.name, settled.catch(() => undefined));
    return settled.then(() => run);
  }

  function syncOnce(desired: DesiredZone, syncOptions: SyncOptions = {}): Promise<SyncResult[]> {
    return Promise.all(providers.map((provider) => runFor(provider, desired, syncOptions)));
  }

  function firePush(): void {
    timer = undefined;
    if (stopped || !latest) return;
    void syncOnce(latest, { dryRun: options.dryRun ?? false });
  }

  return {
    start() {
      if (started) return;
      started = true;
      schedule();
    },

    push(desired) {
      latest = desired;
      if (stopped || timer !== undefined) return; // the pending push will carry the latest state
      const now = clock.now();
      const due = Math.max(now + debounceMs, lastWriteAt + holdDownMs());
      if (due > now + debounceMs) logger.debug({ holdDownMs: holdDownMs(), waitMs: due - now }, 'providers: health change held down after a recent write');
      timer = clock.setTimeout(firePush, due - now);
    },

    syncOnce,

    status() {
      return [...statuses.values()].map((s) => ({ ...s }));
    },

    onSync(listener) {
      listeners.push(listener);
    },

    onResult(listener) {
      resultListeners.push(listener);
    },

    providers() {
      return [...providers];
    },

    reconfigure(next, nextProviders, zone) {
      const fresh = nextProviders.filter((provider) => !providers.includes(provider));
      config = next;
      context.config = next;
      // a tenant zone's syncer: its own schedules and pool keys come with the reload too
      if (zone?.schedules) schedules = zone.schedules;
      if (zone?.poolKeys) context.poolKeys = zone.poolKeys;
      providers = [...nextProviders];
      for (const name of [...statuses.keys()]) if (!providers.some((p) => p.name === name)) statuses.delete(name);
      for (const provider of providers) if (!statuses.has(provider.name)) statuses.set(provider.name, { name: provider.name, at: null, ok: null, changes: 0, error: null });
      for (const task of tasks.splice(0)) task.stop();
      if (started && !stopped) schedule();
      if (latest && !stopped) for (const provider of fresh) void runFor(provider, latest, { dryRun: options.dryRun ?? false });
    },

    async whenIdle() {
      await Promise.all(chains.values());
    },

    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      for (const task of tasks) task.stop();
      await Promise.all(chains.values());
    },
  };
}
