// PURE: one target's plan from what it holds now and what mxpool wants. Stages, in order:
// adapt (capabilities) -> diff (ownership) -> safety (threshold, empty pools). The result is a value.
import type { Config } from '../config/schema.ts';
import { adaptToTarget } from './adapt.ts';
import { diffSets } from './diff.ts';
import { checkSafety } from './safety.ts';
import { withCurrentSpf } from './keep-spf.ts';
import type { Plan, PlanInput } from './types.ts';

export function makePlan(input: PlanInput): Plan {
  const keep = input.keepCurrentSpf === undefined ? undefined : withCurrentSpf(input.desired, input.current, input.ownerId, input.keepCurrentSpf, input.sharedSpfName);
  const adapted = adaptToTarget(input.provider, keep?.sets ?? input.desired, input.capabilities);
  const diff = diffSets(input.current, adapted.sets, input.ownerId, input.capabilities);
  const safety = checkSafety(diff.changes, diff.owned, input.poolKeys, input.maxDeletePercent);
  const warnings = [...adapted.warnings];
  if (keep) warnings.push(keep.kept > 0 ? `the desired SPF failed its checks: keeping the SPF ${input.provider} holds (${keep.kept} record set(s)) as it is` : `the desired SPF failed its checks and ${input.provider} holds no SPF of mxpool's: none is created`);
  const plan: Plan = {
    provider: input.provider,
    changes: diff.changes,
    warnings,
    conflicts: diff.conflicts,
    summary: {
      creates: diff.changes.filter((c) => c.kind === 'create').length,
      updates: diff.changes.filter((c) => c.kind === 'update').length,
      deletes: diff.changes.filter((c) => c.kind === 'delete').length,
      ownedRecords: safety.ownedRecords,
      deletedRecords: safety.deletedRecords,
      foreignSets: diff.foreignSets,
      conflicts: diff.conflicts.length,
    },
  };
  if (safety.problem !== undefined) {
    if (input.force) warnings.push(`forced past the safety check: ${safety.problem.replace(/; --force to apply$/, '')}`);
    else plan.refused = `${input.provider}: ${safety.problem}`;
  }
  return plan;
}

/** True when applying the plan would change something (or would, once forced). */
export function hasPendingChanges(plan: Plan): boolean {
  return plan.changes.length > 0;
}

/** name/type keys of the records that make up each pool (never emptied without --force). */
export function poolRecordKeys(config: Pick<Config, 'pools'>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pool of config.pools) {
    if (pool.hostname) {
      keys.set(`${pool.hostname}/A`, pool.name);
      keys.set(`${pool.hostname}/AAAA`, pool.name);
    }
    if (pool.mx) keys.set(`${pool.mx.name}/MX`, pool.name);
  }
  return keys;
}
