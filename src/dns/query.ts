// Strict decoding of an incoming DNS message (a query, a NOTIFY, a response to our NOTIFY).
// Every length is checked against the buffer; compression pointers must point strictly backwards
// (so loops are impossible); labels over 63 octets and names over 255 are format errors.
// Never throws: the result says FORMERR, drop, or gives the decoded message.
import { CLASS, TYPE } from './constants.ts';

export interface Edns {
  /** the client's advertised UDP payload size */
  payload: number;
  version: number;
  /** DNSSEC OK (RFC 3225): echoed in the reply */
  do: boolean;
}

export interface Question {
  /** the name's labels exactly as sent (case kept), bytes as latin1 characters */
  labels: string[];
  /** the same labels lower-cased (ASCII only, RFC 4343) */
  lower: string[];
  type: number;
  class: number;
}

export interface Query {
  id: number;
  /** QR bit: a response (only ever expected as the answer to our NOTIFY) */
  response: boolean;
  opcode: number;
  aa: boolean;
  rd: boolean;
  cd: boolean;
  rcode: number;
  question: Question;
  edns?: Edns;
  /** IXFR: the serial of the SOA the client sent in the authority section (RFC 1995 3) */
  clientSerial?: number;
  /** a TSIG record is present (RFC 8945): verified, and the answer signed, by src/dns/xfr */
  signed?: true;
}

export type Decoded =
  | { ok: true; query: Query }
  /** answer with FORMERR/NOTIMP; `question` when it could be read, so the reply can echo it */
  | { ok: false; reason: string; id: number; opcode: number; rd: boolean; response: boolean; question?: Question; edns?: Edns }
  /** too short to even hold a header: no reply at all */
  | { ok: false; reason: string; drop: true };

const MAX_NAME_OCTETS = 255;

class Malformed extends Error {}

/** Reads a (possibly compressed) name at `offset`; returns labels and the offset after it. */
export function readName(buf: Buffer, offset: number): { labels: string[]; next: number } {
  const labels: string[] = [];
  let octets = 1;
  let position = offset;
  let next = -1;
  let lowestTarget = offset; // each pointer must go strictly before the previous part: no loops
  for (;;) {
    if (position >= buf.length) throw new Malformed('name runs past the end');
    const length = buf[position] as number;
    if (length === 0) {
      if (next < 0) next = position + 1;
      return { labels, next };
    }
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      if (position + 1 >= buf.length) throw new Malformed('compression pointer runs past the end');
      const target = ((length & 0x3f) << 8) | (buf[position + 1] as number);
      if (target >= lowestTarget) throw new Malformed('compression pointer does not point backwards');
      if (next < 0) next = position + 2;
      lowestTarget = target;
      position = target;
      continue;
    }
    if (kind !== 0) throw new Malformed(`label type 0x${kind.toString(16)} is not supported (label longer than 63?)`);
    if (position + 1 + length > buf.length) throw new Malformed('label runs past the end');
    octets += length + 1;
    if (octets > MAX_NAME_OCTETS) throw new Malformed('name longer than 255 octets');
    labels.push(buf.toString('latin1', position + 1, position + 1 + length));
    position += 1 + length;
  }
}

/** Skips one resource record; returns its type, class, ttl and rdata bounds. */
export function readRecord(buf: Buffer, offset: number) {
  const name = readName(buf, offset);
  const at = name.next;
  if (at + 10 > buf.length) throw new Malformed('record header runs past the end');
  const type = buf.readUInt16BE(at);
  const klass = buf.readUInt16BE(at + 2);
  const ttl = buf.readUInt32BE(at + 4);
  const rdlength = buf.readUInt16BE(at + 8);
  const rdata = at + 10;
  if (rdata + rdlength > buf.length) throw new Malformed('rdata runs past the end');
  return { labels: name.labels, type, klass, ttl, rdata, rdlength, next: rdata + rdlength };
}

export function lowerLabel(label: string): string {
  return /[A-Z]/.test(label) ? label.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : label;
}

export function decodeQuery(buf: Buffer): Decoded {
  if (buf.length < 12) return { ok: false, reason: 'shorter than a DNS header', drop: true };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const rd = (flags & 0x0100) !== 0;
  const qdcount = buf.readUInt16BE(4);
  const ancount = buf.readUInt16BE(6);
  const nscount = buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  const fail = (reason: string, question?: Question, edns?: Edns): Decoded => ({ ok: false, reason, id, opcode, rd, response, ...(question ? { question } : {}), ...(edns ? { edns } : {}) });
  if (qdcount !== 1) return fail(`QDCOUNT is ${qdcount}, expected 1`);
  let question: Question | undefined;
  let edns: Edns | undefined;
  let clientSerial: number | undefined;
  let signed = false;
  try {
    const name = readName(buf, 12);
    if (name.next + 4 > buf.length) throw new Malformed('question runs past the end');
    question = { labels: name.labels, lower: name.labels.map(lowerLabel), type: buf.readUInt16BE(name.next), class: buf.readUInt16BE(name.next + 2) };
    let offset = name.next + 4;
    // a record is at least 11 octets: a count that cannot fit is a lie, refused before any loop
    if ((ancount + nscount + arcount) * 11 > buf.length - offset) throw new Malformed('record counts exceed the message');
    for (let i = 0; i < ancount + nscount; i++) {
      const record = readRecord(buf, offset);
      offset = record.next;
      if (i >= ancount && record.type === TYPE.SOA && record.rdlength >= 22) clientSerial = buf.readUInt32BE(record.next - 20);
      if (record.type === TYPE.TSIG) signed = true;
    }
    for (let i = 0; i < arcount; i++) {
      const record = readRecord(buf, offset);
      offset = record.next;
      if (record.type === TYPE.TSIG) signed = true;
      if (record.type !== TYPE.OPT) continue;
      if (edns) throw new Malformed('more than one OPT record');
      if (record.labels.length !== 0) throw new Malformed('OPT owner is not the root');
      edns = { payload: record.klass, version: (record.ttl >>> 16) & 0xff, do: (record.ttl & 0x8000) !== 0 };
      validateOptions(buf, record.rdata, record.rdlength);
    }
    if (offset !== buf.length) throw new Malformed(`${buf.length - offset} octets after the last record`);
  } catch (error) {
    if (error instanceof Malformed) return fail(error.message, question, edns);
    throw error;
  }
  return {
    ok: true,
    query: { id, response, opcode, aa: (flags & 0x0400) !== 0, rd, cd: (flags & 0x0010) !== 0, rcode: flags & 0xf, question, ...(edns ? { edns } : {}), ...(clientSerial !== undefined ? { clientSerial } : {}), ...(signed ? { signed: true as const } : {}) },
  };
}

/** EDNS options are (code, length, data) triples that must exactly fill the OPT rdata. */
function validateOptions(buf: Buffer, start: number, length: number): void {
  let at = start;
  const end = start + length;
  while (at < end) {
    if (at + 4 > end) throw new Malformed('EDNS option header runs past the OPT record');
    const optionLength = buf.readUInt16BE(at + 2);
    at += 4 + optionLength;
    if (at > end) throw new Malformed('EDNS option runs past the OPT record');
  }
}

export const QUESTION_CLASS_OK = (klass: number): boolean => klass === CLASS.IN || klass === CLASS.ANY;
