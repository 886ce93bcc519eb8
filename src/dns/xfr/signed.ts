// Answering a TSIG-signed message (RFC 8945 5.2, 5.3): verify it, then answer — signed over its MAC
// when it verified, NOTAUTH with the TSIG error when it did not (unsigned for BADKEY/BADSIG, signed
// for BADTIME), FORMERR for a TSIG record in a place it may not be. Transfers are left to the gate,
// which checks transfer.allow and signs the stream. Shared by the main process and UDP workers.
import type { Engine, ZoneVersion } from '../engine.ts';
import type { Query } from '../query.ts';
import type { Transport } from '../answer.ts';
import { errorResponse, replyPayload } from '../answer.ts';
import { encodeResponse } from '../encode.ts';
import { MIN_UDP_PAYLOAD, RCODE } from '../constants.ts';
import type { TsigKeyring } from '../tsig/keys.ts';
import { verifyRequest, type RequestCheck } from '../tsig/verify.ts';
import { answerTsigRoom, signAnswer, tsigErrorAnswer } from '../tsig/respond.ts';

export type VerifiedRequest = Extract<RequestCheck, { status: 'ok' }>;

export type SignedOutcome =
  | { kind: 'reply'; reply: Buffer; rcode: string; refused?: string }
  | { kind: 'transfer'; query: Query; transfer: 'axfr' | 'ixfr'; version: ZoneVersion; check: VerifiedRequest };

/** `now`: seconds since the epoch. */
export function handleSigned(engine: Engine, msg: Buffer, query: Query, transport: Transport, keys: TsigKeyring, now: number): SignedOutcome {
  const check = verifyRequest(msg, keys, now);
  const limit = transport === 'tcp' ? 0xffff : query.edns ? replyPayload(query.edns) : MIN_UDP_PAYLOAD;
  if (check.status === 'ok') {
    const handled = engine.respond(query, transport, answerTsigRoom(check.key));
    if (handled.transfer) return { kind: 'transfer', query, transfer: handled.transfer.kind, version: handled.transfer.version, check };
    return { kind: 'reply', reply: signAnswer(handled.reply as Buffer, check, now), rcode: handled.rcode };
  }
  if (check.status === 'formerr' || check.status === 'unsigned') {
    const reason = check.status === 'formerr' ? check.reason : 'a TSIG record outside the additional section';
    return { kind: 'reply', reply: encodeResponse(errorResponse(query, RCODE.FORMERR), limit), rcode: 'FORMERR', refused: `malformed TSIG: ${reason}` };
  }
  const reply = encodeResponse(errorResponse(query, RCODE.NOTAUTH), limit);
  return { kind: 'reply', reply: tsigErrorAnswer(reply, check, now), rcode: 'NOTAUTH', refused: `TSIG ${check.status.toUpperCase()}: ${check.reason}` };
}

/** The UDP payload a client accepts for a transfer answer, less room for our TSIG. */
export function udpTransferLimit(query: Query, check: VerifiedRequest | undefined): number {
  const payload = query.edns ? replyPayload(query.edns) : MIN_UDP_PAYLOAD;
  return payload - (check ? answerTsigRoom(check.key) : 0);
}
