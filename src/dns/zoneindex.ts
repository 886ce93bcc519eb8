// A DesiredZone compiled for answering: sets by name and type, the names that exist (including
// empty non-terminals, RFC 8020), delegation points, and the precomputed weighted rotations.
import type { DesiredZone, RData, RecordSet, RecordType } from '../model.ts';
import { nameLabels } from './writer.ts';
import { weightedRotations } from './rotation.ts';

export interface CompiledSet {
  name: string;
  type: RecordType;
  ttl: number;
  data: RData[];
  /** weighted sets: orders of `data` indexes; a query takes one at random. Absent = fixed order. */
  rotations?: number[][];
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

export function compileZone(zone: DesiredZone): ZoneIndex {
  const nodes = new Map<string, Map<RecordType, CompiledSet>>();
  const existing = new Set<string>([zone.zone]);
  const delegations = new Set<string>();
  let soa: CompiledSet | undefined;
  for (const set of zone.sets) {
    const compiled: CompiledSet = { name: set.name, type: set.type, ttl: set.ttl, data: set.values.map((v) => v.data) };
    if (set.values.length > 1 && set.values.some((v) => v.weight !== undefined)) {
      compiled.rotations = weightedRotations(set.values.map((v) => v.weight ?? 1), ROTATION_SLOTS, zone.serial);
    }
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
