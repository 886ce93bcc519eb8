// PURE: the difference between two versions of a zone, record by record — what RFC 1995 IXFR sends:
// the records of the old version that are gone and the records of the new one that are new. The
// apex SOA travels separately (it frames each difference). A TTL change is a deletion and an
// addition, so a secondary deletes exactly the record it holds.
import type { DesiredZone, RData, RecordSet, RecordType, RecordValue } from '../../model.ts';
import { formatRData, sameRData } from '../rdata.ts';

export interface JournalRecord {
  name: string;
  type: RecordType;
  ttl: number;
  data: RData;
}

export type SoaData = Extract<RData, { type: 'SOA' }>;

export interface SoaRecord {
  ttl: number;
  data: SoaData;
}

/** The change from serial `from` to serial `to`. */
export interface ZoneDiff {
  from: number;
  to: number;
  fromSoa: SoaRecord;
  toSoa: SoaRecord;
  deleted: JournalRecord[];
  added: JournalRecord[];
}

/** One version of a zone as records keyed by their identity (owner, type, TTL, data), apex SOA apart. */
export interface ZoneVersion {
  zone: string;
  serial: number;
  soa: SoaRecord;
  records: Map<string, JournalRecord>;
  /**
   * The records again, per set (owner and type), when built from a zone: the next version reuses
   * the entries of the sets that did not change, and the difference looks only at the others — a
   * health change in a 10,000-host zone formats and compares a few records, not 30,000.
   */
  sets?: Map<string, SetRecords>;
}

/** The records of one set (each once) and their keys. */
export interface SetRecords {
  set: RecordSet;
  keys: string[];
  records: JournalRecord[];
}

export function recordKey(record: JournalRecord): string {
  return `${record.name}\t${record.type}\t${record.ttl}\t${formatRData(record.data)}`;
}

/**
 * The zone as a version; with `previous`, each set equal to its set there (same TTL, same data in
 * the same order) takes that set's records and keys as they are.
 */
export function versionOf(zone: DesiredZone, previous?: ZoneVersion): ZoneVersion {
  let soa: SoaRecord | undefined;
  const records = new Map<string, JournalRecord>();
  let sets: Map<string, SetRecords> | undefined = new Map();
  const before = previous?.zone === zone.zone ? previous.sets : undefined;
  for (const set of zone.sets) {
    if (set.type === 'SOA' && set.name === zone.zone) {
      const data = set.values[0]?.data;
      if (data?.type === 'SOA') soa = { ttl: set.ttl, data };
      continue;
    }
    const id = `${set.name}\t${set.type}`;
    const old = before?.get(id);
    const entry = old && sameRecords(old.set, set) ? old : setRecords(set);
    // two sets of one owner and type (not from desired(), which merges them): no per-set view
    if (sets?.has(id)) sets = undefined;
    sets?.set(id, entry);
    for (let i = 0; i < entry.keys.length; i++) records.set(entry.keys[i] as string, entry.records[i] as JournalRecord);
  }
  if (!soa) throw new Error(`zone ${zone.zone} has no SOA record at its apex`);
  return { zone: zone.zone, serial: zone.serial, soa, records, ...(sets ? { sets } : {}) };
}

function setRecords(set: RecordSet): SetRecords {
  const keys: string[] = [];
  const records: JournalRecord[] = [];
  const seen = new Set<string>();
  for (const value of set.values) {
    const record: JournalRecord = { name: set.name, type: set.type, ttl: set.ttl, data: value.data };
    const key = recordKey(record);
    if (seen.has(key)) continue;
    seen.add(key);
    keys.push(key);
    records.push(record);
  }
  return { set, keys, records };
}

/** Same owner, type, TTL and data in the same order: the same records (weights do not travel). */
function sameRecords(a: RecordSet, b: RecordSet): boolean {
  if (a === b) return true;
  if (a.ttl !== b.ttl || a.values.length !== b.values.length) return false;
  for (let i = 0; i < a.values.length; i++) if (!sameRData((a.values[i] as RecordValue).data, (b.values[i] as RecordValue).data)) return false;
  return true;
}

/** What changed from `before` to `after`: deleted in the order of `before`, added in the order of `after`. */
export function diffVersions(before: ZoneVersion, after: ZoneVersion): ZoneDiff {
  const deleted: JournalRecord[] = [];
  const added: JournalRecord[] = [];
  if (before.sets && after.sets) {
    // only the sets whose entry is not shared can differ (a set's records are in no other set)
    for (const [id, entry] of before.sets) if (after.sets.get(id) !== entry) collect(entry, after.records, deleted);
    for (const [id, entry] of after.sets) if (before.sets.get(id) !== entry) collect(entry, before.records, added);
  } else {
    for (const [key, record] of before.records) if (!after.records.has(key)) deleted.push(record);
    for (const [key, record] of after.records) if (!before.records.has(key)) added.push(record);
  }
  return { from: before.serial, to: after.serial, fromSoa: before.soa, toSoa: after.soa, deleted, added };
}

/** The records of `entry` that `other` does not hold. */
function collect(entry: SetRecords, other: Map<string, JournalRecord>, into: JournalRecord[]): void {
  for (let i = 0; i < entry.keys.length; i++) if (!other.has(entry.keys[i] as string)) into.push(entry.records[i] as JournalRecord);
}

/**
 * Successive differences condensed into one (RFC 1995 allows it): a record added then deleted
 * again never travels, a record deleted then added back cancels out.
 */
export function composeDiffs(diffs: readonly ZoneDiff[]): ZoneDiff {
  const first = diffs[0];
  const last = diffs[diffs.length - 1];
  if (!first || !last) throw new Error('composeDiffs needs at least one difference');
  if (diffs.length === 1) return first;
  // net effect per record: -1 deleted from the first version, +1 added in the last, 0 unchanged
  const net = new Map<string, { record: JournalRecord; change: number }>();
  for (const diff of diffs) {
    for (const record of diff.deleted) bump(net, record, -1);
    for (const record of diff.added) bump(net, record, +1);
  }
  const deleted: JournalRecord[] = [];
  const added: JournalRecord[] = [];
  for (const { record, change } of net.values()) {
    if (change < 0) deleted.push(record);
    else if (change > 0) added.push(record);
  }
  return { from: first.from, to: last.to, fromSoa: first.fromSoa, toSoa: last.toSoa, deleted, added };
}

function bump(net: Map<string, { record: JournalRecord; change: number }>, record: JournalRecord, by: number): void {
  const key = recordKey(record);
  const entry = net.get(key);
  if (entry) entry.change += by;
  else net.set(key, { record, change: by });
}
