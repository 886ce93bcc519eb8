// The TSIG resource record (RFC 8945 4.2) on the wire: finding it in a message (it must be the last
// record of the additional section, and the only one) and writing it. Never throws on bad input:
// a broken TSIG is `malformed`, which the caller answers with FORMERR (RFC 8945 5.2).
import { readName } from '../query.ts';
import { CLASS, TYPE } from '../constants.ts';

export interface TsigRecord {
  /** key name, lower-case, no trailing dot */
  keyName: string;
  /** algorithm name, lower-case, no trailing dot (hmac-sha256, or whatever the peer sent) */
  algorithm: string;
  /** seconds since the epoch (48 bits) */
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

export type TsigLookup =
  | { kind: 'none' }
  /** `at`: offset of the TSIG record; the message before it is what was signed */
  | { kind: 'signed'; record: TsigRecord; at: number }
  | { kind: 'malformed'; reason: string };

const MIN_RECORD = 11;

/** Finds the TSIG record of a message (any section count, QDCOUNT 0 included for transfer streams). */
export function findTsig(msg: Buffer): TsigLookup {
  if (msg.length < 12) return { kind: 'malformed', reason: 'shorter than a DNS header' };
  const qdcount = msg.readUInt16BE(4);
  const records = msg.readUInt16BE(6) + msg.readUInt16BE(8);
  const arcount = msg.readUInt16BE(10);
  if (records + arcount === 0) return { kind: 'none' };
  if ((records + arcount) * MIN_RECORD + qdcount * 5 > msg.length - 12) return { kind: 'malformed', reason: 'record counts exceed the message' };
  try {
    let offset = 12;
    for (let i = 0; i < qdcount; i++) offset = readName(msg, offset).next + 4;
    for (let i = 0; i < records + arcount; i++) {
      const start = offset;
      const name = readName(msg, offset);
      const at = name.next;
      if (at + 10 > msg.length) return { kind: 'malformed', reason: 'record header runs past the end' };
      const type = msg.readUInt16BE(at);
      const rdlength = msg.readUInt16BE(at + 8);
      offset = at + 10 + rdlength;
      if (offset > msg.length) return { kind: 'malformed', reason: 'rdata runs past the end' };
      if (type !== TYPE.TSIG) continue;
      if (i < records) return { kind: 'malformed', reason: 'a TSIG record outside the additional section' };
      if (i !== records + arcount - 1) return { kind: 'malformed', reason: 'a TSIG record that is not the last record of the message' };
      if (offset !== msg.length) return { kind: 'malformed', reason: 'octets after the TSIG record' };
      if (msg.readUInt16BE(at + 2) !== CLASS.ANY || msg.readUInt32BE(at + 4) !== 0) return { kind: 'malformed', reason: 'a TSIG record must have class ANY and TTL 0' };
      const record = readRdata(msg, at + 10, rdlength, name.labels);
      return typeof record === 'string' ? { kind: 'malformed', reason: record } : { kind: 'signed', record, at: start };
    }
    return { kind: 'none' };
  } catch (error) {
    return { kind: 'malformed', reason: error instanceof Error ? error.message : String(error) };
  }
}

function readRdata(msg: Buffer, start: number, length: number, owner: string[]): TsigRecord | string {
  const end = start + length;
  const algorithm = readName(msg, start);
  let at = algorithm.next;
  if (at + 10 > end) return 'TSIG rdata too short';
  const timeSigned = msg.readUInt16BE(at) * 0x1_0000_0000 + msg.readUInt32BE(at + 2);
  const fudge = msg.readUInt16BE(at + 6);
  const macSize = msg.readUInt16BE(at + 8);
  at += 10;
  if (at + macSize + 6 > end) return 'TSIG MAC runs past the record';
  const mac = Buffer.from(msg.subarray(at, at + macSize));
  at += macSize;
  const originalId = msg.readUInt16BE(at);
  const error = msg.readUInt16BE(at + 2);
  const otherLength = msg.readUInt16BE(at + 4);
  at += 6;
  if (at + otherLength !== end) return 'TSIG other data does not fill the record';
  const other = Buffer.from(msg.subarray(at, end));
  return { keyName: lowerName(owner), algorithm: lowerName(algorithm.labels), timeSigned, fudge, mac, originalId, error, other };
}

function lowerName(labels: string[]): string {
  return labels.join('.').toLowerCase();
}

/** A name in canonical wire form (RFC 4034 6.2: lower-case, uncompressed), as TSIG digests it. */
export function canonicalName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name === '' ? [] : name.toLowerCase().split('.')) {
    const octets = Buffer.from(label, 'latin1');
    parts.push(Buffer.from([octets.length]), octets);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function u48(value: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt16BE(Math.floor(value / 0x1_0000_0000) & 0xffff, 0);
  out.writeUInt32BE(value % 0x1_0000_0000 >>> 0, 2);
  return out;
}

/** The TSIG record itself, ready to append to a message (whose ARCOUNT the caller raises). */
export function writeTsig(record: TsigRecord): Buffer {
  const owner = canonicalName(record.keyName);
  const algorithm = canonicalName(record.algorithm);
  const rdlength = algorithm.length + 10 + record.mac.length + 6 + record.other.length;
  const out = Buffer.alloc(owner.length + 10 + rdlength);
  let at = owner.copy(out, 0);
  at = out.writeUInt16BE(TYPE.TSIG, at);
  at = out.writeUInt16BE(CLASS.ANY, at);
  at = out.writeUInt32BE(0, at);
  at = out.writeUInt16BE(rdlength, at);
  at += algorithm.copy(out, at);
  at += u48(record.timeSigned).copy(out, at);
  at = out.writeUInt16BE(record.fudge, at);
  at = out.writeUInt16BE(record.mac.length, at);
  at += record.mac.copy(out, at);
  at = out.writeUInt16BE(record.originalId, at);
  at = out.writeUInt16BE(record.error, at);
  at = out.writeUInt16BE(record.other.length, at);
  record.other.copy(out, at);
  return out;
}

/** Octets a TSIG record for this key adds to a message (to leave room for it under a size limit). */
export function tsigSize(keyName: string, algorithm: string, macSize: number, otherSize = 0): number {
  return canonicalName(keyName).length + 10 + canonicalName(algorithm).length + 16 + macSize + otherSize;
}
