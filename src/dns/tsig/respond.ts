// PURE: TSIG on the answers to signed requests (RFC 8945 5.3). A verified request gets a signed
// answer over its MAC; BADKEY and BADSIG get an unsigned TSIG (MAC size 0) naming the error, since
// no shared MAC exists; BADTIME is signed, with the request's Time Signed and our time in Other Data
// so the client can see the skew.
import { TSIG_ALGORITHMS, TSIG_ERROR } from './algorithms.ts';
import type { TsigKey } from './keys.ts';
import { appendTsig, signMessage } from './mac.ts';
import { tsigSize, u48 } from './record.ts';
import type { RequestCheck } from './verify.ts';

/** Signs one answer to a verified request. `now` in seconds. */
export function signAnswer(reply: Buffer, check: Extract<RequestCheck, { status: 'ok' }>, now: number): Buffer {
  return signMessage(reply, { key: check.key, now, requestMac: check.record.mac }).message;
}

/** The TSIG of an error answer (`reply` is the NOTAUTH answer without it). */
export function tsigErrorAnswer(reply: Buffer, check: Extract<RequestCheck, { status: 'badkey' | 'badsig' | 'badtime' }>, now: number): Buffer {
  if (check.status === 'badtime') {
    return signMessage(reply, { key: check.key, now, requestMac: check.record.mac, error: TSIG_ERROR.BADTIME, timeSigned: check.record.timeSigned, other: u48(now) }).message;
  }
  const error = check.status === 'badkey' ? TSIG_ERROR.BADKEY : TSIG_ERROR.BADSIG;
  const { record } = check;
  return appendTsig(reply, { keyName: record.keyName, algorithm: record.algorithm, timeSigned: now, fudge: record.fudge, mac: Buffer.alloc(0), originalId: reply.readUInt16BE(0), error, other: Buffer.alloc(0) });
}

/** Room to leave for the TSIG of an answer signed with `key` (BADTIME's Other Data included). */
export function answerTsigRoom(key: TsigKey): number {
  return tsigSize(key.name, key.algorithm, TSIG_ALGORITHMS[key.algorithm].size, 6);
}
