// PURE: the safety stage. A plan that deletes too much of what mxpool owns, or empties a pool, is
// refused unless forced — with the numbers in the message, so the operator can judge it.
import { recordKey, type Change } from '../model.ts';
import type { CurrentSet } from './types.ts';
import { removedValues } from './values.ts';

/** Below this many owned records a percentage means little (one of three is 33%). */
export const MIN_OWNED_FOR_THRESHOLD = 10;

export interface SafetyVerdict {
  ownedRecords: number;
  deletedRecords: number;
  /** why the plan is unsafe; undefined when it is safe */
  problem?: string;
}

export function deletedRecordCount(changes: readonly Change[]): number {
  let deleted = 0;
  for (const change of changes) {
    if (change.kind === 'delete') deleted += change.before.values.length;
    else if (change.kind === 'update') deleted += removedValues(change.before.values, change.after.values).length;
  }
  return deleted;
}

function emptiedPools(changes: readonly Change[], poolKeys: ReadonlyMap<string, string>): string[] {
  const emptied: string[] = [];
  for (const change of changes) {
    const set = change.kind === 'create' ? change.after : change.before;
    const pool = poolKeys.get(recordKey(set));
    if (pool === undefined) continue;
    const left = change.kind === 'delete' ? 0 : change.after.values.length;
    if (left === 0 && change.kind !== 'create') emptied.push(`pool ${pool} (${recordKey(set)}: ${change.before.values.length} records)`);
  }
  return emptied;
}

export function checkSafety(changes: readonly Change[], owned: readonly CurrentSet[], poolKeys: ReadonlyMap<string, string>, maxDeletePercent: number): SafetyVerdict {
  const ownedRecords = owned.reduce((sum, set) => sum + set.values.length, 0);
  const deletedRecords = deletedRecordCount(changes);
  const verdict: SafetyVerdict = { ownedRecords, deletedRecords };
  const problems: string[] = [];
  const percent = ownedRecords === 0 ? 0 : (deletedRecords / ownedRecords) * 100;
  if (ownedRecords >= MIN_OWNED_FOR_THRESHOLD && percent > maxDeletePercent) {
    problems.push(`would delete ${deletedRecords} of ${ownedRecords} owned records (${Math.round(percent)}%), over the ${maxDeletePercent}% limit`);
  }
  const emptied = emptiedPools(changes, poolKeys);
  if (emptied.length > 0) problems.push(`would empty ${emptied.join(', ')}`);
  if (problems.length > 0) verdict.problem = `${problems.join('; ')}; --force to apply`;
  return verdict;
}
