// PURE: what a TSIG MAC covers (RFC 8945 4.3) and signing one message. The caller passes the time;
// nothing here reads a clock.
//   request, or the first message of a response:  [request MAC]  message  TSIG variables
//   later messages of a multi-message response:    prior MAC  messages since the last TSIG  timers
// where a MAC is digested as (MAC size u16, MAC) and "message" is the message without its TSIG
// record, its ID set back to the Original ID and its ARCOUNT not counting the TSIG.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TSIG_ALGORITHMS, TSIG_FUDGE, minimumMacSize, type TsigAlgorithm } from './algorithms.ts';
import type { TsigKey } from './keys.ts';
import { canonicalName, u48, writeTsig, type TsigRecord } from './record.ts';

/** (MAC size, MAC) as digested in front of a response or a later message. */
export function macPrefix(mac: Buffer): Buffer {
  const size = Buffer.alloc(2);
  size.writeUInt16BE(mac.length, 0);
  return Buffer.concat([size, mac]);
}

/** The message as it was before its TSIG record was added (RFC 8945 4.3.2). */
export function unsignedMessage(msg: Buffer, tsigAt: number, originalId: number): Buffer {
  const out = Buffer.from(msg.subarray(0, tsigAt));
  out.writeUInt16BE(originalId, 0);
  out.writeUInt16BE(out.readUInt16BE(10) - 1, 10);
  return out;
}

/** RFC 8945 4.3.3: key name, class ANY, TTL 0, algorithm, time signed, fudge, error, other. */
export function tsigVariables(record: Pick<TsigRecord, 'keyName' | 'algorithm' | 'timeSigned' | 'fudge' | 'error' | 'other'>): Buffer {
  const classAndTtl = Buffer.from([0x00, 0xff, 0, 0, 0, 0]);
  const tail = Buffer.alloc(6);
  tail.writeUInt16BE(record.fudge, 0);
  tail.writeUInt16BE(record.error, 2);
  tail.writeUInt16BE(record.other.length, 4);
  return Buffer.concat([canonicalName(record.keyName), classAndTtl, canonicalName(record.algorithm), u48(record.timeSigned), tail, record.other]);
}

/** RFC 8945 4.3.1: a later message of a stream covers only time signed and fudge. */
export function tsigTimers(timeSigned: number, fudge: number): Buffer {
  const out = Buffer.alloc(8);
  u48(timeSigned).copy(out, 0);
  out.writeUInt16BE(fudge, 6);
  return out;
}

export function hmac(key: TsigKey, parts: readonly Buffer[]): Buffer {
  const h = createHmac(TSIG_ALGORITHMS[key.algorithm].hash, key.secret);
  for (const part of parts) h.update(part);
  return h.digest();
}

/**
 * Compares a received MAC with the computed one under RFC 8945 5.2.2.1: longer than the hash or
 * shorter than the allowed minimum is a format error; a truncated MAC is compared on its length.
 */
export function checkMac(algorithm: TsigAlgorithm, received: Buffer, computed: Buffer): 'ok' | 'bad' | 'formerr' {
  if (received.length > TSIG_ALGORITHMS[algorithm].size || received.length < minimumMacSize(algorithm)) return 'formerr';
  return timingSafeEqual(received, computed.subarray(0, received.length)) ? 'ok' : 'bad';
}

export interface SignOptions {
  key: TsigKey;
  /** seconds since the epoch */
  now: number;
  /** a response: the request's MAC (omitted for requests and unsigned-request errors) */
  requestMac?: Buffer;
  error?: number;
  other?: Buffer;
  /** BADTIME answers carry the request's Time Signed (RFC 8945 5.2.3), the server's own time in Other */
  timeSigned?: number;
}

/** Appends a TSIG record to `msg` (its ARCOUNT raised); returns the signed message and its MAC. */
export function signMessage(msg: Buffer, options: SignOptions): { message: Buffer; mac: Buffer } {
  const { key } = options;
  const fields = {
    keyName: key.name,
    algorithm: key.algorithm,
    timeSigned: options.timeSigned ?? options.now,
    fudge: TSIG_FUDGE,
    error: options.error ?? 0,
    other: options.other ?? Buffer.alloc(0),
  };
  const mac = hmac(key, [...(options.requestMac ? [macPrefix(options.requestMac)] : []), msg, tsigVariables(fields)]);
  return { message: appendTsig(msg, { ...fields, mac, originalId: msg.readUInt16BE(0) }), mac };
}

/** A later message of a stream: covers the prior MAC, the messages since it and the timers. */
export function signNext(msg: Buffer, key: TsigKey, priorMac: Buffer, unsignedBefore: readonly Buffer[], now: number): { message: Buffer; mac: Buffer } {
  const mac = hmac(key, [macPrefix(priorMac), ...unsignedBefore, msg, tsigTimers(now, TSIG_FUDGE)]);
  const record: TsigRecord = { keyName: key.name, algorithm: key.algorithm, timeSigned: now, fudge: TSIG_FUDGE, mac, originalId: msg.readUInt16BE(0), error: 0, other: Buffer.alloc(0) };
  return { message: appendTsig(msg, record), mac };
}

export function appendTsig(msg: Buffer, record: TsigRecord): Buffer {
  const out = Buffer.concat([msg, writeTsig(record)]);
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return out;
}
