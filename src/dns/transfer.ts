// Zone transfers as messages (PURE): AXFR (RFC 5936) and IXFR (RFC 1995). IXFR is answered from the
// journal when it holds the client's serial — one condensed difference, framed by SOA records —
// with the whole zone in AXFR form when it does not (or when the difference would be larger), and
// with the SOA alone when the client is current. Over UDP an answer must fit one message, else the
// SOA alone tells the client to ask again over TCP (RFC 1995 4).
import type { RData } from '../model.ts';
import type { Query } from './query.ts';
import type { ZoneIndex } from './zoneindex.ts';
import type { ZoneJournal } from './journal/journal.ts';
import type { JournalRecord, SoaRecord, ZoneDiff } from './journal/diff.ts';
import { errorResponse, replyPayload } from './answer.ts';
import { encodeResponse } from './encode.ts';
import { RCODE, TYPE } from './constants.ts';
import { nameLabels, Writer, type WireRecord } from './writer.ts';
import { serialBefore } from './serial.ts';

export { serialBefore };

/** Messages stay well under 64 KiB so a slow secondary is fed in pieces (and a TSIG always fits). */
const MESSAGE_BUDGET = 16_000;

/** How a transfer was answered (logs and metrics name it). */
export type TransferForm = 'axfr' | 'ixfr-incremental' | 'ixfr-full' | 'ixfr-current' | 'ixfr-udp-soa';

export interface Transfer {
  messages: Buffer[];
  form: TransferForm;
  /** the serial the client moves from, for an incremental answer */
  from?: number;
  /** records sent, the framing SOA records included */
  records: number;
}

export interface TransferOptions {
  journal?: ZoneJournal | undefined;
  /** UDP: the one message may be this large (the client's payload, less room for a TSIG) */
  udpLimit?: number;
}

export function transferMessages(index: ZoneIndex, query: Query, kind: 'axfr' | 'ixfr', options: TransferOptions = {}): Transfer {
  const soa = soaRecord(index);
  const udp = options.udpLimit !== undefined;
  const alone = (form: TransferForm): Transfer => ({ messages: [encodeBatch(query, [soa], true, udp)], form, records: 1 });
  if (kind === 'ixfr') {
    // RFC 1995 2: a client at our serial (or newer) gets the SOA alone: "nothing to transfer"
    if (query.clientSerial !== undefined && !serialBefore(query.clientSerial, index.serial)) return alone('ixfr-current');
    const diff = query.clientSerial === undefined ? undefined : options.journal?.changesSince(query.clientSerial);
    const records = diff && diff.to === index.serial ? incrementalRecords(index, soa, diff) : undefined;
    const chosen = records && records.length < zoneRecordCount(index) ? records : undefined;
    if (udp) {
      if (!chosen) return alone('ixfr-udp-soa');
      const message = encodeBatch(query, chosen, true, true);
      return message.length <= (options.udpLimit as number) ? { messages: [message], form: 'ixfr-incremental', from: diff?.from as number, records: chosen.length } : alone('ixfr-udp-soa');
    }
    if (chosen) return { messages: pack(query, chosen), form: 'ixfr-incremental', from: diff?.from as number, records: chosen.length };
  }
  const all = fullZoneRecords(index, soa);
  return { messages: pack(query, all), form: kind === 'axfr' ? 'axfr' : 'ixfr-full', records: all.length };
}

/** The reply to a transfer from an address (or key) transfer.allow does not admit. */
export function refusedTransfer(query: Query): Buffer {
  return encodeResponse(errorResponse(query, RCODE.REFUSED), 0xffff);
}

function soaRecord(index: ZoneIndex): WireRecord {
  return { labels: nameLabels(index.zone), type: TYPE.SOA, ttl: index.soa.ttl, data: index.soa.data[0] as RData };
}

function fullZoneRecords(index: ZoneIndex, soa: WireRecord): WireRecord[] {
  const records: WireRecord[] = [soa];
  for (const set of index.sets) {
    if (set.type === 'SOA' && set.name === index.zone) continue;
    for (const value of set.values) records.push({ labels: nameLabels(set.name), type: TYPE[set.type], ttl: set.ttl, data: value.data });
  }
  records.push(soa);
  return records;
}

/** RFC 1995 4: current SOA, [old SOA, deleted..., new SOA, added...], current SOA. */
function incrementalRecords(index: ZoneIndex, soa: WireRecord, diff: ZoneDiff): WireRecord[] {
  const labels = nameLabels(index.zone);
  const framing = (s: SoaRecord): WireRecord => ({ labels, type: TYPE.SOA, ttl: s.ttl, data: s.data });
  const wire = (r: JournalRecord): WireRecord => ({ labels: nameLabels(r.name), type: TYPE[r.type], ttl: r.ttl, data: r.data });
  return [soa, framing(diff.fromSoa), ...diff.deleted.map(wire), framing(diff.toSoa), ...diff.added.map(wire), soa];
}

const zoneSizes = new WeakMap<ZoneIndex, number>();

function zoneRecordCount(index: ZoneIndex): number {
  let count = zoneSizes.get(index);
  if (count === undefined) {
    count = 2;
    for (const set of index.sets) if (!(set.type === 'SOA' && set.name === index.zone)) count += set.values.length;
    zoneSizes.set(index, count);
  }
  return count;
}

function pack(query: Query, records: WireRecord[]): Buffer[] {
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

/** `udp`: the one answer echoes the client's EDNS (RFC 6891 6.1.1); TCP streams stay as they were. */
function encodeBatch(query: Query, records: WireRecord[], first: boolean, udp = false): Buffer {
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
      ...(udp && query.edns ? { edns: { payload: replyPayload(query.edns), do: query.edns.do } } : {}),
    },
    0xffff,
  );
}

function recordSize(record: WireRecord): number {
  const w = new Writer(256);
  w.record(record);
  return w.length;
}
