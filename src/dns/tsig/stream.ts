// PURE: multi-message TSIG (RFC 8945 5.3.1) for AXFR/IXFR streams. The signer signs every message
// (the RFC asks for the first, the last and at least every 100th; every one costs little and lets a
// client stop trusting a stream at the first bad message). The verifier accepts what the RFC
// allows a server to send: up to 99 unsigned messages between signed ones, the last one signed.
import { tsigErrorName } from './algorithms.ts';
import type { TsigKey } from './keys.ts';
import { checkMac, hmac, macPrefix, signMessage, signNext, tsigTimers, tsigVariables, unsignedMessage } from './mac.ts';
import { findTsig } from './record.ts';

export class StreamSigner {
  readonly #key: TsigKey;
  readonly #now: () => number;
  #priorMac: Buffer;
  #first = true;

  /** `requestMac`: the verified MAC of the request this stream answers; `now` in seconds. */
  constructor(key: TsigKey, requestMac: Buffer, now: () => number) {
    this.#key = key;
    this.#priorMac = requestMac;
    this.#now = now;
  }

  sign(msg: Buffer): Buffer {
    const signed = this.#first
      ? signMessage(msg, { key: this.#key, now: this.#now(), requestMac: this.#priorMac })
      : signNext(msg, this.#key, this.#priorMac, [], this.#now());
    this.#first = false;
    this.#priorMac = signed.mac;
    return signed.message;
  }
}

/** RFC 8945 5.3.1: at most 99 unsigned messages may follow a signed one. */
export const MAX_UNSIGNED_RUN = 99;

export type StreamCheck = { ok: true; signed: boolean } | { ok: false; reason: string };

/** Verifies the answer (one message or a stream) to a request we signed with `key`. */
export class StreamVerifier {
  readonly #key: TsigKey;
  readonly #now: () => number;
  #priorMac: Buffer;
  #first = true;
  #unsigned: Buffer[] = [];
  #failed: string | undefined;

  constructor(key: TsigKey, requestMac: Buffer, now: () => number) {
    this.#key = key;
    this.#priorMac = requestMac;
    this.#now = now;
  }

  verify(msg: Buffer): StreamCheck {
    if (this.#failed) return { ok: false, reason: this.#failed };
    const result = this.#check(msg);
    if (!result.ok) this.#failed = result.reason;
    return result;
  }

  /** After the last message: it must have been signed. */
  finish(): StreamCheck {
    if (this.#failed) return { ok: false, reason: this.#failed };
    if (this.#first) return { ok: false, reason: 'no message received' };
    if (this.#unsigned.length > 0) return { ok: false, reason: `the last ${this.#unsigned.length} message(s) carry no TSIG` };
    return { ok: true, signed: true };
  }

  #check(msg: Buffer): StreamCheck {
    const found = findTsig(msg);
    if (found.kind === 'malformed') return { ok: false, reason: `malformed TSIG: ${found.reason}` };
    if (found.kind === 'none') {
      if (this.#first) return { ok: false, reason: 'the answer is not signed' };
      if (this.#unsigned.length >= MAX_UNSIGNED_RUN) return { ok: false, reason: `more than ${MAX_UNSIGNED_RUN} unsigned messages in a row` };
      this.#unsigned.push(msg);
      return { ok: true, signed: false };
    }
    const { record, at } = found;
    if (record.error !== 0 && record.mac.length === 0) return { ok: false, reason: `the server answered ${tsigErrorName(record.error)}` };
    if (record.keyName !== this.#key.name || record.algorithm !== this.#key.algorithm) return { ok: false, reason: `signed with ${record.keyName} (${record.algorithm}), expected ${this.#key.name}` };
    const message = unsignedMessage(msg, at, record.originalId);
    const computed = this.#first
      ? hmac(this.#key, [macPrefix(this.#priorMac), message, tsigVariables(record)])
      : hmac(this.#key, [macPrefix(this.#priorMac), ...this.#unsigned, message, tsigTimers(record.timeSigned, record.fudge)]);
    const mac = checkMac(this.#key.algorithm, record.mac, computed);
    if (mac !== 'ok') return { ok: false, reason: mac === 'formerr' ? `a MAC of ${record.mac.length} octets is not allowed` : 'the MAC does not verify (BADSIG)' };
    if (record.error !== 0) return { ok: false, reason: `the server answered ${tsigErrorName(record.error)}` };
    const skew = this.#now() - record.timeSigned;
    if (Math.abs(skew) > record.fudge) return { ok: false, reason: `signed ${skew} s away from our clock (BADTIME)` };
    this.#first = false;
    this.#priorMac = record.mac;
    this.#unsigned = [];
    return { ok: true, signed: true };
  }
}
