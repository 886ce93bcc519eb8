// A plan as a person reviews it before `sync`, and as JSON for scripts.
import type { Change, RecordSet } from '../model.ts';
import type { Plan } from './types.ts';
import { addedValues, removedValues, valueText } from './values.ts';

function head(set: RecordSet): string {
  return `${set.name} ${set.type}`;
}

function changeLines(change: Change): string[] {
  switch (change.kind) {
    case 'create':
      return [`  + create ${head(change.after)} ttl ${change.after.ttl}`, ...change.after.values.map((v) => `      + ${valueText(v)}`)];
    case 'delete':
      return [`  - delete ${head(change.before)} ttl ${change.before.ttl}`, ...change.before.values.map((v) => `      - ${valueText(v)}`)];
    case 'update': {
      const { before, after } = change;
      const lines = [`  ~ update ${head(after)}${before.ttl === after.ttl ? ` ttl ${after.ttl}` : ` ttl ${before.ttl} -> ${after.ttl}`}`];
      for (const v of removedValues(before.values, after.values)) lines.push(`      - ${valueText(v)}`);
      for (const v of addedValues(before.values, after.values)) lines.push(`      + ${valueText(v)}`);
      return lines;
    }
  }
}

export function renderPlanText(plan: Plan): string {
  const s = plan.summary;
  const lines: string[] = [];
  const verdict = plan.changes.length === 0 ? 'no changes' : `${s.creates} to create, ${s.updates} to update, ${s.deletes} to delete`;
  lines.push(`${plan.provider}: ${verdict} (mxpool owns ${s.ownedRecords} records; ${s.foreignSets} other record set(s) left alone)`);
  for (const change of plan.changes) lines.push(...changeLines(change));
  for (const conflict of plan.conflicts) lines.push(`  ! conflict: ${conflict.message}`);
  for (const warning of plan.warnings) lines.push(`  ! warning: ${warning}`);
  if (plan.refused !== undefined) lines.push(`  x refused: ${plan.refused}`);
  return `${lines.join('\n')}\n`;
}

/** JSON-ready form: the plan itself plus a `pending` flag. */
export function planToJson(plan: Plan): object {
  return { ...plan, pending: plan.changes.length > 0 };
}
