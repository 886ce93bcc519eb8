// PURE: the difference between two versions of a zone, record by record — what RFC 1995 IXFR sends:
// the records of the old version that are gone and the records of the new one that are new. The
// apex SOA travels separately (it frames each difference). A TTL change is a deletion and an
// addition, so a secondary deletes exactly the record it holds.
import type { DesiredZone, RData, RecordType } from '../../model.ts';
import { formatRData } from '../rdata.ts';

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
}

export function recordKey(record: JournalRecord): string {
  return `${record.name}\t${record.type}\t${record.ttl}\t${formatRData(record.data)}`;
}

export function versionOf(zone: DesiredZone): ZoneVersion {
  let soa: SoaRecord | undefined;
  const records = new Map<string, JournalRecord>();
  for (const set of zone.sets) {
    if (set.type === 'SOA' && set.name === zone.zone) {
      const data = set.values[0]?.data;
      if (data?.type === 'SOA') soa = { ttl: set.ttl, data };
      continue;
    }
    for (const value of set.values) {
      const record: JournalRecord = { name: set.name, type: set.type, ttl: set.ttl, data: value.data };
      records.set(recordKey(record), record);
    }
  }
  if (!soa) throw new Error(`zone ${zone.zone} has no SOA record at its apex`);
  return { zone: zone.zone, serial: zone.serial, soa, records };
}

/** What changed from `before` to `after`. */
export function diffVersions(before: ZoneVersion, after: ZoneVersion): ZoneDiff {
  const deleted: JournalRecord[] = [];
  const added: JournalRecord[] = [];
  for (const [key, record] of before.records) if (!after.records.has(key)) deleted.push(record);
  for (const [key, record] of after.records) if (!before.records.has(key)) added.push(record);
  return { from: before.serial, to: after.serial, fromSoa: before.soa, toSoa: after.soa, deleted, added };
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
