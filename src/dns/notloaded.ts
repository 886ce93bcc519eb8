// Before the first zone arrives the server answers SERVFAIL (RFC 1035: "unable to process"), so a
// resolver tries another server instead of caching a negative answer.
import type { Handled } from './engine.ts';
import { decodeQuery } from './query.ts';
import { errorResponse } from './answer.ts';
import { encodeResponse } from './encode.ts';
import { RCODE, typeName } from './constants.ts';

export function notLoadedReply(msg: Buffer): Handled | undefined {
  const decoded = decodeQuery(msg);
  if ('drop' in decoded || (decoded.ok ? decoded.query.response : decoded.response)) return undefined;
  const base = decoded.ok ? decoded.query : decoded;
  const rcode = decoded.ok ? RCODE.SERVFAIL : RCODE.FORMERR;
  return { reply: encodeResponse(errorResponse(base, rcode), 512), type: typeName(base.question?.type ?? 0), rcode: rcode === RCODE.SERVFAIL ? 'SERVFAIL' : 'FORMERR' };
}
