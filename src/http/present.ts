// Record data in master-file presentation form, for humans reading /api/state and the status page.
import type { RData, RecordSet } from '../model.ts';
import type { ApiRecordSet } from './types.ts';
import { formatRData } from '../dns/rdata.ts';

/** Presentation form for humans: the same text the zone file and `mxpool zone` show. */
export function presentRData(data: RData): string {
  return formatRData(data);
}

export function presentSet(set: RecordSet): ApiRecordSet {
  return {
    name: set.name,
    type: set.type,
    ttl: set.ttl,
    values: set.values.map((value) => presentRData(value.data)),
    source: set.source,
    pool: set.pool ?? null,
  };
}
