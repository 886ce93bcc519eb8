// PURE: checking a signed request (RFC 8945 5.2) in the order the RFC gives: the record's form
// (FORMERR), the key (BADKEY), the MAC (BADSIG, or FORMERR for an impossible MAC size), the time
// (BADTIME). The result says how to answer; respond.ts builds the answer.
import { algorithmByName } from './algorithms.ts';
import type { TsigKey, TsigKeyring } from './keys.ts';
import { checkMac, hmac, tsigVariables, unsignedMessage } from './mac.ts';
import { findTsig, type TsigRecord } from './record.ts';

export type RequestCheck =
  | { status: 'unsigned' }
  /** drop the TSIG and answer FORMERR, unsigned */
  | { status: 'formerr'; reason: string }
  /** verified: answer, signed with `key` over `mac` */
  | { status: 'ok'; key: TsigKey; record: TsigRecord; at: number }
  /** answer NOTAUTH with an unsigned TSIG carrying the error (RFC 8945 5.3.2) */
  | { status: 'badkey' | 'badsig'; record: TsigRecord; reason: string }
  /** the MAC is good but the clock is not: NOTAUTH, signed, with our time (RFC 8945 5.2.3) */
  | { status: 'badtime'; key: TsigKey; record: TsigRecord; at: number; reason: string };

/** `now` in seconds since the epoch. */
export function verifyRequest(msg: Buffer, keys: TsigKeyring, now: number): RequestCheck {
  const found = findTsig(msg);
  if (found.kind === 'none') return { status: 'unsigned' };
  if (found.kind === 'malformed') return { status: 'formerr', reason: found.reason };
  const { record, at } = found;
  const key = keys.get(record.keyName);
  const algorithm = algorithmByName(record.algorithm);
  if (!key) return { status: 'badkey', record, reason: `unknown key ${record.keyName}` };
  if (algorithm !== key.algorithm) return { status: 'badkey', record, reason: `key ${record.keyName} is ${key.algorithm}, the request used ${record.algorithm}` };
  const computed = hmac(key, [unsignedMessage(msg, at, record.originalId), tsigVariables(record)]);
  const mac = checkMac(key.algorithm, record.mac, computed);
  if (mac === 'formerr') return { status: 'formerr', reason: `a MAC of ${record.mac.length} octets is not allowed for ${key.algorithm}` };
  if (mac === 'bad') return { status: 'badsig', record, reason: `the MAC does not verify with key ${key.name}` };
  const skew = now - record.timeSigned;
  if (Math.abs(skew) > record.fudge) return { status: 'badtime', key, record, at, reason: `signed ${skew} s ${skew > 0 ? 'ago' : 'ahead'}; fudge ${record.fudge} s` };
  return { status: 'ok', key, record, at };
}
