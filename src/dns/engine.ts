// One zone version, ready to answer raw packets: fast path first, then decode -> answer -> encode.
// The server swaps whole engines on a zone change, so a query sees one zone version, never a mix.
import type { DesiredZone } from '../model.ts';
import { answer, errorResponse, replyPayload, type Response, type Transport } from './answer.ts';
import { MAX_TCP_MESSAGE, MIN_UDP_PAYLOAD, RCODE, rcodeName, typeName } from './constants.ts';
import { encodeResponse } from './encode.ts';
import { decodeQuery, type Query } from './query.ts';
import { FastPath } from './wire.ts';
import { compileZone, ROTATION_SLOTS, type ZoneIndex } from './zoneindex.ts';

export interface Handled {
  /** the reply to send; absent = drop */
  reply?: Buffer;
  /** AXFR/IXFR over TCP: the server streams the zone (or refuses) */
  transfer?: { query: Query; kind: 'axfr' | 'ixfr' };
  /** for metrics */
  type: string;
  rcode: string;
}

export class Engine {
  readonly index: ZoneIndex;
  readonly zone: DesiredZone;
  readonly #fast: FastPath;
  readonly #random: () => number;

  constructor(zone: DesiredZone, random: () => number) {
    this.zone = zone;
    this.index = compileZone(zone);
    this.#random = random;
    this.#fast = new FastPath(random);
  }

  get fastEntries(): number {
    return this.#fast.size;
  }

  handle(msg: Buffer, transport: Transport): Handled | undefined {
    const fast = transport === 'udp' ? this.#fast.respond(msg) : { hit: false as const };
    if (fast.hit) return { reply: fast.reply, type: fast.entry.type, rcode: fast.entry.rcode };

    const decoded = decodeQuery(msg);
    if (!decoded.ok) {
      if ('drop' in decoded || decoded.response) return undefined; // never answer a response (no loops)
      const response = errorResponse(decoded, RCODE.FORMERR);
      return { reply: encodeResponse(response, limitFor(transport, response)), type: typeName(decoded.question?.type ?? 0), rcode: 'FORMERR' };
    }
    const query = decoded.query;
    if (query.response) return undefined;
    const response = answer(this.index, query, { transport, random: this.#random });
    const type = typeName(query.question.type);
    if (response.transfer) return { transfer: { query, kind: response.transfer }, type, rcode: 'NOERROR' };
    const reply = encodeResponse(response, limitFor(transport, response));
    if ('probe' in fast && fast.probe) {
      this.#fast.learn(fast.probe, response, (pick) => answer(this.index, query, { transport, random: pick }), ROTATION_SLOTS);
    }
    return { reply, type, rcode: rcodeName(response.rcode) };
  }
}

function limitFor(transport: Transport, response: Response): number {
  if (transport === 'tcp') return MAX_TCP_MESSAGE;
  return response.edns ? replyPayload({ payload: response.edns.payload, version: 0, do: false }) : MIN_UDP_PAYLOAD;
}
