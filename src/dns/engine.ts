// Every zone the nameserver serves, ready to answer raw packets: fast path first, then decode ->
// find the zone -> answer -> encode. A query name belongs to its closest enclosing zone (by
// labels); outside all of them the answer is REFUSED. Each zone is an immutable compiled version:
// a change of one zone replaces that version alone (its fast-path answers go with it), so a health
// change re-publishing 10,000 tenant zones never recompiles the zones that did not change.
import type { DesiredZone } from '../model.ts';
import { answer, errorResponse, replyPayload, type Response, type Transport } from './answer.ts';
import { MAX_TCP_MESSAGE, MIN_UDP_PAYLOAD, RCODE, rcodeName, typeName } from './constants.ts';
import { encodeResponse } from './encode.ts';
import { decodeQuery, type Query } from './query.ts';
import { FastPath, type FastEntry, type FastOwner } from './wire.ts';
import { compileZone, ROTATION_SLOTS, type ZoneIndex } from './zoneindex.ts';

/** One compiled version of one zone. */
export interface ZoneVersion extends FastOwner {
  readonly zone: DesiredZone;
  readonly index: ZoneIndex;
  retired: boolean;
}

export interface Handled {
  /** the reply to send; absent = drop */
  reply?: Buffer;
  /** AXFR/IXFR over TCP, IXFR over UDP: the server answers from the zone version and its journal (or refuses) */
  transfer?: { query: Query; kind: 'axfr' | 'ixfr'; version: ZoneVersion };
  /** a TSIG-signed message: the server verifies it, then asks `respond` for the answer to sign */
  signed?: { query: Query };
  /** for metrics */
  type: string;
  rcode: string;
}

/** Answers outside every zone (REFUSED) depend on no version; the fast path is cleared when zones come or go. */
const NO_ZONE: FastOwner = { retired: false };

export class Engine {
  readonly #zones = new Map<string, ZoneVersion>();
  readonly #fast: FastPath;
  readonly #random: () => number;
  /** the zone given first (the top-level zone): what `index`/`zone` name */
  #primary: string | undefined;
  #fastHits = 0;

  constructor(zones: DesiredZone | readonly DesiredZone[], random: () => number) {
    this.#random = random;
    this.#fast = new FastPath(random);
    for (const zone of Array.isArray(zones) ? (zones as readonly DesiredZone[]) : [zones as DesiredZone]) this.set(zone);
  }

  /** The first zone's compiled index. */
  get index(): ZoneIndex {
    return this.#first().index;
  }

  /** The first zone's records. */
  get zone(): DesiredZone {
    return this.#first().zone;
  }

  get fastEntries(): number {
    return this.#fast.size;
  }

  /** Queries answered from a learnt template so far. */
  get fastHits(): number {
    return this.#fastHits;
  }

  get size(): number {
    return this.#zones.size;
  }

  version(zone: string): ZoneVersion | undefined {
    return this.#zones.get(zone);
  }

  versions(): IterableIterator<ZoneVersion> {
    return this.#zones.values();
  }

  /** Adds a zone or replaces its version; returns the new version. */
  set(zone: DesiredZone): ZoneVersion {
    const old = this.#zones.get(zone.zone);
    const version: ZoneVersion = { zone, index: compileZone(zone, old?.index), retired: false };
    this.#zones.set(zone.zone, version);
    this.#primary ??= zone.zone;
    if (old) old.retired = true;
    else this.#fast.clear(); // a new zone may take names a learned answer gave to another zone (or REFUSED)
    return version;
  }

  /** Stops serving a zone; true when it was served. */
  remove(zone: string): boolean {
    const old = this.#zones.get(zone);
    if (!old) return false;
    old.retired = true;
    this.#zones.delete(zone);
    if (this.#primary === zone) this.#primary = this.#zones.keys().next().value;
    this.#fast.clear();
    return true;
  }

  /** The zone a query name (lower-case labels) belongs to: the closest enclosing one. */
  find(lower: readonly string[]): ZoneVersion | undefined {
    for (let i = 0; i < lower.length; i++) {
      const version = this.#zones.get(i === 0 ? lower.join('.') : lower.slice(i).join('.'));
      if (version) return version;
    }
    return this.#zones.get('');
  }

  /**
   * UDP's first try: the reply from a learnt template, or undefined (then `handle`). `lastFast` is
   * the entry that answered. A hit allocates nothing but the reply (no Handled).
   */
  answerFast(msg: Buffer): Buffer | undefined {
    const reply = this.#fast.respond(msg);
    if (reply) this.#fastHits++;
    return reply;
  }

  /** The learnt entry of the last reply of `answerFast` (its type and rcode, for the counts). */
  get lastFast(): FastEntry | undefined {
    return this.#fast.hit;
  }

  /** `afterFastMiss`: the caller's `answerFast(msg)` just missed; its miss is used, not tried again. */
  handle(msg: Buffer, transport: Transport, afterFastMiss = false): Handled | undefined {
    const fastReply = transport === 'udp' && !afterFastMiss ? this.answerFast(msg) : undefined;
    if (fastReply) {
      const entry = this.#fast.hit as FastEntry;
      return { reply: fastReply, type: entry.type, rcode: entry.rcode };
    }
    const probe = transport === 'udp' ? this.#fast.miss : undefined;

    const decoded = decodeQuery(msg);
    if (!decoded.ok) {
      if ('drop' in decoded || decoded.response) return undefined; // never answer a response (no loops)
      const response = errorResponse(decoded, RCODE.FORMERR);
      return { reply: encodeResponse(response, limitFor(transport, response)), type: typeName(decoded.question?.type ?? 0), rcode: 'FORMERR' };
    }
    const query = decoded.query;
    if (query.response) return undefined;
    if (query.signed) return { signed: { query }, type: typeName(query.question.type), rcode: 'NOERROR' };
    const version = this.find(query.question.lower);
    // outside every zone: any zone's index answers REFUSED, after the same header checks as inside
    const index = version?.index ?? this.#first().index;
    // a weighted answer learnt by the fast path is built for one rotation slot, picked at random
    const slot = probe?.slot ?? Math.min(Math.floor(this.#random() * ROTATION_SLOTS), ROTATION_SLOTS - 1);
    const random = probe ? () => (slot + 0.5) / ROTATION_SLOTS : this.#random;
    const response = answer(index, query, { transport, random });
    const type = typeName(query.question.type);
    if (response.transfer && version) return { transfer: { query, kind: response.transfer, version }, type, rcode: 'NOERROR' };
    const reply = encodeResponse(response, limitFor(transport, response));
    if (probe) this.#fast.learn(probe, response, version ?? NO_ZONE, slot, ROTATION_SLOTS);
    return { reply, type, rcode: rcodeName(response.rcode) };
  }

  /** The answer to a decoded query (a verified signed one): `reserve` octets stay free for its TSIG. */
  respond(query: Query, transport: Transport, reserve: number): Handled {
    const version = this.find(query.question.lower);
    const response = answer(version?.index ?? this.#first().index, query, { transport, random: this.#random });
    const type = typeName(query.question.type);
    if (response.transfer && version) return { transfer: { query, kind: response.transfer, version }, type, rcode: 'NOERROR' };
    return { reply: encodeResponse(response, limitFor(transport, response) - reserve), type, rcode: rcodeName(response.rcode) };
  }

  #first(): ZoneVersion {
    const version = this.#primary === undefined ? undefined : this.#zones.get(this.#primary);
    if (!version) throw new Error('the nameserver has no zone loaded');
    return version;
  }
}

function limitFor(transport: Transport, response: Response): number {
  if (transport === 'tcp') return MAX_TCP_MESSAGE;
  return response.edns ? replyPayload({ payload: response.edns.payload, version: 0, do: false }) : MIN_UDP_PAYLOAD;
}
