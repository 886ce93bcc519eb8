// PURE: owned current record sets vs the adapted desired sets -> changes. Ownership is explicit:
// mxpool changes and deletes only sets carrying its owner id, and never takes over another's record.
import { recordKey, type Change, type RecordSet } from '../model.ts';
import type { Capabilities, Conflict, CurrentSet } from './types.ts';
import { sameSet } from './values.ts';

export interface Diff {
  changes: Change[];
  conflicts: Conflict[];
  /** current sets mxpool owns (the base of the deletion threshold) */
  owned: CurrentSet[];
  foreignSets: number;
}

/** "v=spf1", "v=dmarc1", "v=dkim1": two TXT records with the same tag at one name break the protocol. */
function txtTag(set: RecordSet): Set<string> {
  const tags = new Set<string>();
  for (const value of set.values) {
    if (value.data.type !== 'TXT') continue;
    const first = value.data.strings.join('').trim().split(/[\s;]/)[0]?.toLowerCase() ?? '';
    tags.add(first.startsWith('v=') ? first : value.data.strings.join(''));
  }
  return tags;
}

/** Can mxpool add its own set next to these foreign sets without touching them? */
function coexists(wanted: RecordSet, foreign: readonly CurrentSet[], capabilities: Capabilities): boolean {
  if (foreign.length === 0) return true;
  if (!capabilities.valuesCoexist || wanted.type !== 'TXT') return false;
  const ours = txtTag(wanted);
  return foreign.every((set) => [...txtTag(set)].every((tag) => !ours.has(tag)));
}

function conflictFor(set: RecordSet, foreign: readonly CurrentSet[]): Conflict {
  const owners = [...new Set(foreign.map((f) => f.owner))];
  const other = owners.find((o) => o !== undefined);
  const who = other !== undefined ? `owned by mxpool instance "${other}"` : 'not made by mxpool (no ownership mark)';
  const conflict: Conflict = {
    name: set.name,
    type: set.type,
    message: `${recordKey(set)} exists and is ${who}: left alone; delete it at the provider or change its owner to let mxpool manage it`,
  };
  if (other !== undefined) conflict.owner = other;
  return conflict;
}

export function diffSets(current: readonly CurrentSet[], wanted: readonly RecordSet[], ownerId: string, capabilities: Capabilities): Diff {
  const ownedByKey = new Map<string, CurrentSet>();
  const foreignByKey = new Map<string, CurrentSet[]>();
  for (const set of current) {
    const key = recordKey(set);
    if (set.owner === ownerId) ownedByKey.set(key, set);
    else foreignByKey.set(key, [...(foreignByKey.get(key) ?? []), set]);
  }
  const changes: Change[] = [];
  const conflicts: Conflict[] = [];
  const wantedKeys = new Set<string>();
  for (const set of wanted) {
    const key = recordKey(set);
    wantedKeys.add(key);
    const owned = ownedByKey.get(key);
    if (owned) {
      if (!sameSet(owned, set)) changes.push({ kind: 'update', before: owned, after: set });
      continue;
    }
    const foreign = foreignByKey.get(key) ?? [];
    if (coexists(set, foreign, capabilities)) changes.push({ kind: 'create', after: set });
    else conflicts.push(conflictFor(set, foreign));
  }
  for (const [key, owned] of ownedByKey) {
    if (!wantedKeys.has(key)) changes.push({ kind: 'delete', before: owned });
  }
  let foreignSets = 0;
  for (const sets of foreignByKey.values()) foreignSets += sets.length;
  return { changes, conflicts, owned: [...ownedByKey.values()], foreignSets };
}
