// Zone transfers (RFC 5936 AXFR; RFC 1995 IXFR answered with the whole zone, which 1995 section 4
// permits): SOA, every record, SOA again, packed into as few TCP messages as fit.
import type { RData } from '../model.ts';
import type { Query } from './query.ts';
import type { ZoneIndex } from './zoneindex.ts';
import { errorResponse } from './answer.ts';
import { encodeResponse } from './encode.ts';
import { RCODE, TYPE } from './constants.ts';
import { nameLabels, Writer, type WireRecord } from './writer.ts';

/** Messages stay well under 64 KiB so a slow secondary is fed in pieces. */
const MESSAGE_BUDGET = 16_000;

export function transferMessages(index: ZoneIndex, query: Query, kind: 'axfr' | 'ixfr' = 'axfr'): Buffer[] {
  const soa = index.soa;
  const soaRecord: WireRecord = { labels: nameLabels(index.zone), type: TYPE.SOA, ttl: soa.ttl, data: soa.data[0] as RData };
  // RFC 1995 2: a client already at our serial (or newer) gets the SOA alone: "nothing to transfer"
  if (kind === 'ixfr' && query.clientSerial !== undefined && !serialBefore(query.clientSerial, index.serial)) return [encodeBatch(query, [soaRecord], true)];
  const records: WireRecord[] = [soaRecord];
  for (const set of index.sets) {
    if (set.type === 'SOA' && set.name === index.zone) continue;
    for (const value of set.values) records.push({ labels: nameLabels(set.name), type: TYPE[set.type], ttl: set.ttl, data: value.data });
  }
  records.push(soaRecord);

  const messages: Buffer[] = [];
  let batch: WireRecord[] = [];
  let size = 0;
  const flush = () => {
    messages.push(encodeBatch(query, batch, messages.length === 0));
    batch = [];
    size = 0;
  };
  for (const record of records) {
    const estimate = recordSize(record);
    if (batch.length > 0 && size + estimate > MESSAGE_BUDGET) flush();
    batch.push(record);
    size += estimate;
  }
  flush();
  return messages;
}

/** RFC 1982 serial number arithmetic: a comes before b. */
export function serialBefore(a: number, b: number): boolean {
  return a !== b && ((a < b && b - a < 0x80000000) || (a > b && a - b > 0x80000000));
}

/** The reply to a transfer from an address not in transfer.allow. */
export function refusedTransfer(query: Query): Buffer {
  return encodeResponse(errorResponse(query, RCODE.REFUSED), 0xffff);
}

function encodeBatch(query: Query, records: WireRecord[], first: boolean): Buffer {
  return encodeResponse(
    {
      id: query.id,
      opcode: 0,
      aa: true,
      rd: query.rd,
      cd: query.cd,
      rcode: RCODE.NOERROR,
      ...(first ? { question: query.question } : {}),
      answer: records,
      authority: [],
      additional: [],
    },
    0xffff,
  );
}

function recordSize(record: WireRecord): number {
  const w = new Writer(256);
  w.record(record);
  return w.length;
}
