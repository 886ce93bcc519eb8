// One record set compiled for answering: its data in order and, for a weighted set, the precomputed
// orders a query picks from. Two costs kept off the path of a new zone version (issue 16: one host
// down in a 10,000-host zone recompiled 1,000 weighted sets, 256 orders each, for 2-6 s):
//  - the orders are computed on the first answer that needs them, not at compile time;
//  - a set whose TTL and values did not change since the previous version is that version's
//    compiled set, orders included (see `reusable`).
// Both keep answers identical: the orders depend only on the values (seeded from them).
import type { RData, RecordSet, RecordType, RecordValue } from '../model.ts';
import { weightedRotations } from './rotation.ts';
import { sameRData } from './rdata.ts';

/** Number of precomputed orders per weighted set: first-position shares are exact to 1/256. */
export const ROTATION_SLOTS = 256;

interface Rotated {
  /** orders of `data` indexes; a query takes one at random */
  rotations: number[][];
  /** per slot, the index of its distinct order (slots with equal orders give equal answers) */
  slotClass: Uint16Array;
}

export interface CompiledSet {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly data: readonly RData[];
  /** weighted sets: orders of `data` indexes; a query takes one at random. Undefined = fixed order. */
  readonly rotations: number[][] | undefined;
  /**
   * With rotations: per slot, the index of its distinct order (slots with equal orders give equal
   * answers, so the fast path learns one template per distinct order, not per slot)
   */
  readonly slotClass: Uint16Array | undefined;
}

/**
 * The rotations of a weighted set, computed once per values list: tenant zones share their MX
 * values list (src/tenants/mx.ts), so 10,000 tenant zones hold one set of rotations, not 10,000.
 * Seeded from the values themselves, so equal sets rotate alike in every zone and every version.
 */
const rotationCache = new WeakMap<readonly RecordValue[], Rotated>();

function rotationsOf(values: readonly RecordValue[]): Rotated {
  let cached = rotationCache.get(values);
  if (!cached) {
    const rotations = weightedRotations(values.map((v) => v.weight ?? 1), ROTATION_SLOTS, seedOf(values));
    const classes = new Map<string, number>();
    const slotClass = new Uint16Array(rotations.length);
    rotations.forEach((order, slot) => {
      const key = order.join(',');
      let index = classes.get(key);
      if (index === undefined) classes.set(key, (index = classes.size));
      slotClass[slot] = index;
    });
    cached = { rotations, slotClass };
    rotationCache.set(values, cached);
  }
  return cached;
}

/** FNV-1a over the values' data and weights. */
function seedOf(values: readonly RecordValue[]): number {
  let hash = 0x811c9dc5;
  const text = values.map((v) => `${JSON.stringify(v.data)}/${v.weight ?? ''}`).join('|');
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

class Compiled implements CompiledSet {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly data: readonly RData[];
  /** the values it was compiled from: what the next version's set is compared with */
  readonly values: readonly RecordValue[];
  readonly #weighted: boolean;
  #rotated: Rotated | undefined;

  constructor(set: RecordSet) {
    this.name = set.name;
    this.type = set.type;
    this.ttl = set.ttl;
    this.values = set.values;
    this.data = set.values.map((v) => v.data);
    this.#weighted = set.values.length > 1 && set.values.some((v) => v.weight !== undefined);
  }

  get rotations(): number[][] | undefined {
    return this.#weighted ? (this.#rotated ??= rotationsOf(this.values)).rotations : undefined;
  }

  get slotClass(): Uint16Array | undefined {
    return this.#weighted ? (this.#rotated ??= rotationsOf(this.values)).slotClass : undefined;
  }
}

/**
 * The set compiled: `before` (the previous version's set of the same name and type) when equal.
 * A new version of a tenant zone holds the very set objects of the one before but its SOA and MX
 * (src/tenants/zones.ts), so the comparison stops at their identity.
 */
export function compileSet(set: RecordSet, before: CompiledSet | undefined): CompiledSet {
  return before instanceof Compiled && reusable(before, set) ? before : new Compiled(set);
}

/** Same TTL, same values in the same order with the same weights: the same answers, the same orders. */
function reusable(before: Compiled, set: RecordSet): boolean {
  if (before.values === set.values) return before.ttl === set.ttl;
  if (before.ttl !== set.ttl || before.values.length !== set.values.length) return false;
  for (let i = 0; i < set.values.length; i++) {
    const a = before.values[i] as RecordValue;
    const b = set.values[i] as RecordValue;
    if (a !== b && (a.weight !== b.weight || !sameRData(a.data, b.data))) return false;
  }
  return true;
}
