// A DesiredZone compiled for answering: sets by name and type, the names that exist (including
// empty non-terminals, RFC 8020), delegation points, and the precomputed weighted rotations.
import type { DesiredZone, RData, RecordSet, RecordType, RecordValue } from '../model.ts';
import { nameLabels } from './writer.ts';
import { weightedRotations } from './rotation.ts';

export interface CompiledSet {
  name: string;
  type: RecordType;
  ttl: number;
  data: RData[];
  /** weighted sets: orders of `data` indexes; a query takes one at random. Absent = fixed order. */
  rotations?: number[][];
  /**
   * With rotations: per slot, the index of its distinct order (slots with equal orders give equal
   * answers, so the fast path learns one template per distinct order, not per slot)
   */
  slotClass?: Uint16Array;
}

export interface ZoneIndex {
  zone: string;
  zoneLabels: string[];
  serial: number;
  /** name -> type -> set */
  nodes: Map<string, Map<RecordType, CompiledSet>>;
  /** every name that exists: owners and their ancestors down to the apex */
  existing: Set<string>;
  /** names below the apex that carry NS: the zone ends there */
  delegations: Set<string>;
  soa: CompiledSet;
  /** RFC 2308: negative answers are cached for min(SOA TTL, SOA MINIMUM) */
  negativeTtl: number;
  /** the zone's sets in transfer order (SOA first) */
  sets: RecordSet[];
}

/** Number of precomputed orders per weighted set: first-position shares are exact to 1/256. */
export const ROTATION_SLOTS = 256;

/**
 * The rotations of a weighted set, computed once per values list: tenant zones share their MX
 * values list (src/tenants/mx.ts), so 10,000 tenant zones hold one set of rotations, not 10,000.
 * Seeded from the values themselves, so equal sets rotate alike in every zone and every version.
 */
const rotationCache = new WeakMap<readonly RecordValue[], { rotations: number[][]; slotClass: Uint16Array }>();

function rotationsOf(values: readonly RecordValue[]): { rotations: number[][]; slotClass: Uint16Array } {
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

/**
 * Record sets are immutable values, and a new version of a tenant zone reuses every set of the
 * previous one but its SOA and MX (src/tenants/zones.ts): each set is compiled once, not once per
 * version — a health change touching 10,000 tenant zones compiles two small sets per zone.
 */
const compiledSets = new WeakMap<RecordSet, CompiledSet>();

function compiledSet(set: RecordSet): CompiledSet {
  let compiled = compiledSets.get(set);
  if (!compiled) {
    compiled = { name: set.name, type: set.type, ttl: set.ttl, data: set.values.map((v) => v.data) };
    if (set.values.length > 1 && set.values.some((v) => v.weight !== undefined)) Object.assign(compiled, rotationsOf(set.values));
    compiledSets.set(set, compiled);
  }
  return compiled;
}

export function compileZone(zone: DesiredZone): ZoneIndex {
  const nodes = new Map<string, Map<RecordType, CompiledSet>>();
  const existing = new Set<string>([zone.zone]);
  const delegations = new Set<string>();
  let soa: CompiledSet | undefined;
  for (const set of zone.sets) {
    const compiled = compiledSet(set);
    const types = nodes.get(set.name) ?? new Map<RecordType, CompiledSet>();
    types.set(set.type, compiled);
    nodes.set(set.name, types);
    if (set.type === 'SOA' && set.name === zone.zone) soa = compiled;
    if (set.type === 'NS' && set.name !== zone.zone) delegations.add(set.name);
    for (let name = set.name; name.length > zone.zone.length && name.includes('.'); name = name.slice(name.indexOf('.') + 1)) existing.add(name);
  }
  if (!soa) throw new Error(`zone ${zone.zone} has no SOA record at its apex (nameserver.soa missing?)`);
  const soaData = soa.data[0];
  const minimum = soaData?.type === 'SOA' ? soaData.minimum : 0;
  const ordered = [...zone.sets].sort((a, b) => Number(b.type === 'SOA' && b.name === zone.zone) - Number(a.type === 'SOA' && a.name === zone.zone));
  return {
    zone: zone.zone,
    zoneLabels: nameLabels(zone.zone),
    serial: zone.serial,
    nodes,
    existing,
    delegations,
    soa,
    negativeTtl: Math.min(soa.ttl, minimum),
    sets: ordered,
  };
}
