// The client side of the wire: a query message out, a response message in. PURE. The decoder is as
// strict as the server's (query.ts: every length checked, compression pointers only backwards) and
// never throws: a malformed response is `{ ok: false, reason }`, which the resolver treats like no
// answer from that server. Record data is decoded for the types the auditor and the resolver use
// (A, AAAA, NS, CNAME, PTR, MX, TXT, SOA, TLSA, and of RRSIG the type it covers); other types keep
// only their owner, type and TTL.
import { CLASS, TYPE } from './constants.ts';
import { nameProblem } from './name.ts';
import { canonicalIPv6 } from './rdata.ts';
import { readName, readRecord, lowerLabel } from './query.ts';
import { writeOpt } from './encode.ts';
import { nameLabels, Writer } from './writer.ts';

/** Our advertised EDNS payload (the DNS Flag Day 2020 value, as the server caps it). */
export const CLIENT_UDP_PAYLOAD = 1232;

export type RecordData =
  | { type: 'A' | 'AAAA'; address: string }
  | { type: 'NS' | 'CNAME' | 'PTR'; target: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'TXT'; strings: string[] }
  | { type: 'SOA'; mname: string; rname: string; serial: number; minimum: number }
  | { type: 'TLSA'; usage: number; selector: number; matchingType: number; data: string }
  /** a signature: only the type it covers matters here (is an answer signed?) */
  | { type: 'RRSIG'; covered: number }
  | { type: 'other'; code: number };

export interface ResponseRecord {
  /** owner, lower-case, no trailing dot ('' = root) */
  name: string;
  ttl: number;
  data: RecordData;
}

export interface ResponseMessage {
  id: number;
  aa: boolean;
  tc: boolean;
  ra: boolean;
  /** AD: a validating resolver vouches for the answer (RFC 4035 3.2.3); absent counts as clear */
  ad?: boolean;
  /** the full RCODE (extended by the OPT record when present) */
  rcode: number;
  question?: { name: string; type: number };
  answer: ResponseRecord[];
  authority: ResponseRecord[];
  additional: ResponseRecord[];
  /** the server sent an OPT record */
  edns: boolean;
}

export type DecodedResponse = { ok: true; message: ResponseMessage } | { ok: false; reason: string };

/**
 * A standard query (RD set: a recursive resolver recurses, an authoritative one ignores it) for
 * `name` (normalised). `dnssec`: DO set (RFC 3225) and AD asked for (RFC 6840 5.7), so the answer
 * says whether it is signed.
 */
export function encodeQuery(id: number, name: string, type: number, options: { edns: boolean; dnssec?: boolean }): Buffer {
  const problem = nameProblem(name);
  if (problem) throw new RangeError(`${name}: ${problem}`);
  const w = new Writer(64 + name.length);
  w.u16(id);
  w.u16(options.dnssec ? 0x0120 : 0x0100); // QUERY, RD (and AD)
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(options.edns ? 1 : 0);
  w.name(nameLabels(name), false);
  w.u16(type);
  w.u16(CLASS.IN);
  if (options.edns) writeOpt(w, CLIENT_UDP_PAYLOAD, 0, options.dnssec === true);
  return w.result();
}

const joinName = (labels: string[]) => labels.map(lowerLabel).join('.');

export function decodeResponse(buf: Buffer): DecodedResponse {
  try {
    return { ok: true, message: decode(buf) };
  } catch (error) {
    return { ok: false, reason: `malformed response: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function decode(buf: Buffer): ResponseMessage {
  if (buf.length < 12) throw new Error('shorter than a DNS header');
  const flags = buf.readUInt16BE(2);
  if ((flags & 0x8000) === 0) throw new Error('not a response (QR clear)');
  const counts = [4, 6, 8, 10].map((at) => buf.readUInt16BE(at)) as [number, number, number, number];
  const message: ResponseMessage = { id: buf.readUInt16BE(0), aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0, ra: (flags & 0x0080) !== 0, ad: (flags & 0x0020) !== 0, rcode: flags & 0xf, answer: [], authority: [], additional: [], edns: false };
  let offset = 12;
  if (counts[0] > 1) throw new Error(`QDCOUNT is ${counts[0]}`);
  if (counts[0] === 1) {
    const name = readName(buf, offset);
    if (name.next + 4 > buf.length) throw new Error('question runs past the end');
    message.question = { name: joinName(name.labels), type: buf.readUInt16BE(name.next) };
    offset = name.next + 4;
  }
  // a record is at least 11 octets: counts that cannot fit are refused before any loop
  if ((counts[1] + counts[2] + counts[3]) * 11 > buf.length - offset) throw new Error('record counts exceed the message');
  const sections = [message.answer, message.authority, message.additional];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s + 1] as number); i++) {
      const record = readRecord(buf, offset);
      const { type, klass, ttl } = record;
      offset = record.next;
      if (type === TYPE.OPT) {
        message.edns = true;
        message.rcode |= ((ttl >>> 24) & 0xff) << 4;
        continue;
      }
      if (klass !== CLASS.IN) continue;
      // RFC 2181 8: a TTL with the top bit set is taken as 0
      (sections[s] as ResponseRecord[]).push({ name: joinName(record.labels), ttl: ttl > 0x7fffffff ? 0 : ttl, data: rdata(buf, type, record.rdata, record.rdlength) });
    }
  }
  return message;
}

function rdata(buf: Buffer, type: number, start: number, length: number): RecordData {
  const end = start + length;
  const name = (at: number) => {
    const read = readName(buf, at);
    if (read.next > end) throw new Error('name runs past its record');
    return { name: joinName(read.labels), next: read.next };
  };
  switch (type) {
    case TYPE.A:
      if (length !== 4) throw new Error(`A record of ${length} octets`);
      return { type: 'A', address: [...buf.subarray(start, end)].join('.') };
    case TYPE.AAAA: {
      if (length !== 16) throw new Error(`AAAA record of ${length} octets`);
      const groups = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(start + 2 * i).toString(16));
      return { type: 'AAAA', address: canonicalIPv6(groups.join(':')) };
    }
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR:
      return { type: type === TYPE.NS ? 'NS' : type === TYPE.CNAME ? 'CNAME' : 'PTR', target: name(start).name };
    case TYPE.MX:
      if (length < 3) throw new Error('MX record too short');
      return { type: 'MX', preference: buf.readUInt16BE(start), exchange: name(start + 2).name };
    case TYPE.TXT: {
      const strings: string[] = [];
      for (let at = start; at < end; ) {
        const size = buf[at] as number;
        if (at + 1 + size > end) throw new Error('TXT character-string runs past its record');
        strings.push(buf.toString('utf8', at + 1, at + 1 + size));
        at += 1 + size;
      }
      return { type: 'TXT', strings };
    }
    case TYPE.SOA: {
      const mname = name(start);
      const rname = name(mname.next);
      if (rname.next + 20 > end) throw new Error('SOA record too short');
      return { type: 'SOA', mname: mname.name, rname: rname.name, serial: buf.readUInt32BE(rname.next), minimum: buf.readUInt32BE(rname.next + 16) };
    }
    case TYPE.TLSA:
      if (length < 3) throw new Error('TLSA record too short');
      return { type: 'TLSA', usage: buf[start] as number, selector: buf[start + 1] as number, matchingType: buf[start + 2] as number, data: buf.toString('hex', start + 3, end) };
    case TYPE.RRSIG:
      if (length < 18) throw new Error('RRSIG record too short');
      return { type: 'RRSIG', covered: buf.readUInt16BE(start) };
    default:
      return { type: 'other', code: type };
  }
}
