// A DesiredZone compiled for answering: sets by name and type, the names that exist (including
// empty non-terminals, RFC 8020), delegation points, and the weighted rotations (computed on first
// use). A new version compiled with the previous one reuses every set that did not change.
import type { DesiredZone, RecordSet, RecordType } from '../model.ts';
import { nameLabels } from './writer.ts';
import { compileSet, type CompiledSet } from './compiled-set.ts';

export { ROTATION_SLOTS, type CompiledSet } from './compiled-set.ts';

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

/**
 * `previous`: the version served now, whose compiled sets (and their rotations) the unchanged sets
 * of this one reuse; the answers are the same as from a compile without it.
 */
export function compileZone(zone: DesiredZone, previous?: ZoneIndex): ZoneIndex {
  const before = previous?.zone === zone.zone ? previous.nodes : undefined;
  const nodes = new Map<string, Map<RecordType, CompiledSet>>();
  const existing = new Set<string>([zone.zone]);
  const delegations = new Set<string>();
  let soa: CompiledSet | undefined;
  for (const set of zone.sets) {
    const compiled = compileSet(set, before?.get(set.name)?.get(set.type));
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
  // SOA first, the rest in their order (zones from desired() have it first already)
  const at = zone.sets.findIndex((set) => set.type === 'SOA' && set.name === zone.zone);
  const ordered = at === 0 ? zone.sets.slice() : [zone.sets[at] as RecordSet, ...zone.sets.slice(0, at), ...zone.sets.slice(at + 1)];
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
