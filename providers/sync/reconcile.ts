// One provider, one cycle: read what the zone holds, plan against the desired records, apply.
// A failure anywhere leaves the zone as it was (each write is one transaction) and is reported,
// never thrown: the next cycle re-reads and tries again.
import type { Config } from '../../src/config/schema.ts';
import type { Logger } from '../../src/log.ts';
import type { DesiredZone } from '../../src/model.ts';
import { makePlan, poolRecordKeys, type Plan } from '../../src/plan/index.ts';
import type { Provider } from '../provider.ts';

export interface SyncOptions {
  /** plan only, write nothing */
  dryRun?: boolean;
  /** apply a plan the safety stage refused */
  force?: boolean;
}

export interface SyncResult {
  provider: string;
  /** epoch ms when the cycle started */
  at: number;
  ok: boolean;
  /** the plan, when the provider could be read */
  plan?: Plan;
  /** true when changes were written */
  applied: boolean;
  /** write calls made */
  writes: number;
  error?: string;
}

export interface ReconcileContext {
  config: Config;
  logger: Logger;
  now: () => number;
  /** warnings already logged, so a cron reconcile every minute does not repeat them */
  logged: Set<string>;
  /** the pool record keys of this zone (default: the top-level zone's, from the config) */
  poolKeys?: ReadonlyMap<string, string>;
}

export async function reconcile(provider: Provider, desired: DesiredZone, options: SyncOptions, context: ReconcileContext): Promise<SyncResult> {
  const at = context.now();
  const log = context.logger.child({ provider: provider.name });
  let plan: Plan | undefined;
  try {
    const current = await provider.records();
    plan = makePlan({
      provider: provider.name,
      capabilities: provider.capabilities,
      current,
      desired: desired.sets,
      ownerId: context.config.providers?.ownerId ?? 'mxpool',
      maxDeletePercent: context.config.providers?.maxDeletePercent ?? 30,
      poolKeys: context.poolKeys ?? poolRecordKeys(context.config),
      force: options.force ?? false,
      ...(desired.spfWithheld ? { keepCurrentSpf: desired.zone, ...(context.config.auth.spf?.sharedName ? { sharedSpfName: context.config.auth.spf.sharedName } : {}) } : {}),
    });
    for (const text of [...plan.warnings, ...plan.conflicts.map((c) => c.message)]) {
      const key = `${provider.name}:${text}`;
      if (context.logged.has(key)) continue;
      context.logged.add(key);
      log.warn({ serial: desired.serial }, text);
    }
    if (plan.refused !== undefined) {
      log.error({ summary: plan.summary }, plan.refused);
      return { provider: provider.name, at, ok: false, plan, applied: false, writes: 0, error: plan.refused };
    }
    if (options.dryRun || plan.changes.length === 0) {
      return { provider: provider.name, at, ok: true, plan, applied: false, writes: 0 };
    }
    const { writes } = await provider.apply(plan.changes);
    log.info({ serial: desired.serial, ...plan.summary, writes }, `${provider.name}: applied ${plan.changes.length} change(s)`);
    return { provider: provider.name, at, ok: true, plan, applied: true, writes };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error({ err: message }, `${provider.name}: sync failed; the zone keeps its last records, the next cycle retries`);
    const result: SyncResult = { provider: provider.name, at, ok: false, applied: false, writes: 0, error: message };
    if (plan) result.plan = plan;
    return result;
  }
}
