// Wire size of journal records, for the journal's octet bound and for choosing between an
// incremental and a full answer. An estimate (no name compression), which is what a bound needs.
import type { JournalRecord, ZoneDiff } from './diff.ts';
import { Writer } from '../writer.ts';

export function recordOctets(record: JournalRecord): number {
  const w = new Writer(128);
  w.rdata(record.data);
  return record.name.length + 2 + 10 + w.length;
}

/** The difference as IXFR carries it: two SOA records framing the deleted and the added ones. */
export function diffOctets(zone: string, diff: ZoneDiff): number {
  let total = recordOctets({ name: zone, type: 'SOA', ttl: diff.fromSoa.ttl, data: diff.fromSoa.data }) * 2;
  for (const record of diff.deleted) total += recordOctets(record);
  for (const record of diff.added) total += recordOctets(record);
  return total;
}
