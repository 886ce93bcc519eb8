// The fast path: precompiled wire answers per (question name, type, EDNS shape). A query in the
// common shape (one question, no compression, at most an OPT) is answered by copying a template and
// patching the ID, the RD/CD bits, the question's case (0x20) and the OPT payload — no decoding, no
// encoding. Weighted sets keep one template per precomputed rotation. Everything else, and every
// first query for a key, goes through the generic path (decode -> answer -> encode), which teaches
// the fast path the template. A FastPath belongs to one zone version: a zone swap drops it whole.
import type { Response } from './answer.ts';
import { replyPayload } from './answer.ts';
import { encodeResponse } from './encode.ts';
import { MAX_UDP_PAYLOAD, MIN_UDP_PAYLOAD, RCODE, rcodeName, TYPE, typeName } from './constants.ts';

export interface FastEntry {
  templates: Buffer[];
  /** octets of the question name (all templates of a key share it) */
  nameLength: number;
  /** offset of the OPT CLASS (payload) field, or -1 */
  optPayloadAt: number;
  type: string;
  rcode: string;
}

export interface FastProbe {
  key: string;
  nameLength: number;
  /** client's EDNS payload, or 0 without EDNS */
  payload: number;
}

export type FastResult = { hit: true; reply: Buffer; entry: FastEntry } | { hit: false; probe?: FastProbe };

/** Bound on remembered keys: random names (NXDOMAIN floods) cannot grow memory without limit. */
export const MAX_FAST_ENTRIES = 50_000;

export class FastPath {
  readonly #entries = new Map<string, FastEntry>();
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Answers `msg` from a template, or says why not (with the key to learn when the shape was right). */
  respond(msg: Buffer): FastResult {
    const probe = probeShape(msg);
    if (!probe) return { hit: false };
    const entry = this.#entries.get(probe.key);
    if (!entry) return { hit: false, probe };
    const templates = entry.templates;
    const template = templates.length === 1 ? (templates[0] as Buffer) : (templates[Math.min(Math.floor(this.#random() * templates.length), templates.length - 1)] as Buffer);
    const limit = probe.payload === 0 ? MIN_UDP_PAYLOAD : replyPayload({ payload: probe.payload, version: 0, do: false });
    if (template.length > limit) return { hit: false }; // needs truncation: the generic path does it
    const reply = Buffer.allocUnsafe(template.length);
    template.copy(reply);
    reply[0] = msg[0] as number;
    reply[1] = msg[1] as number;
    reply[2] = (template[2] as number) | ((msg[2] as number) & 0x01);
    reply[3] = (template[3] as number) | ((msg[3] as number) & 0x10);
    msg.copy(reply, 12, 12, 12 + entry.nameLength);
    if (entry.optPayloadAt >= 0) reply.writeUInt16BE(limit, entry.optPayloadAt);
    return { hit: true, reply, entry };
  }

  /** Stores the templates for a key; `build(slot)` answers the query with rotation `slot` of `slots`. */
  learn(probe: FastProbe, first: Response, build: (pick: () => number) => Response, slots: number): void {
    if (!cacheable(first)) return;
    if (this.#entries.size >= MAX_FAST_ENTRIES) this.#entries.clear();
    const responses = first.rotated ? Array.from({ length: slots }, (_, slot) => build(() => (slot + 0.5) / slots)) : [first];
    const templates = responses.map((response) => encodeResponse({ ...response, id: 0, rd: false, cd: false }, 0xffff));
    if (templates.some((t) => t.length > MAX_UDP_PAYLOAD)) return;
    const optPayloadAt = first.edns ? (templates[0] as Buffer).length - 11 + 3 : -1;
    this.#entries.set(probe.key, { templates, nameLength: probe.nameLength, optPayloadAt, type: typeName(first.question?.type ?? 0), rcode: rcodeName(first.rcode) });
  }
}

function cacheable(response: Response): boolean {
  if (response.transfer || !response.question) return false;
  if (response.rcode !== RCODE.NOERROR && response.rcode !== RCODE.NXDOMAIN && response.rcode !== RCODE.REFUSED) return false;
  const type = response.question.type;
  return type !== TYPE.AXFR && type !== TYPE.IXFR;
}

/** Recognizes the common query shape without decoding; returns the template key or undefined. */
export function probeShape(msg: Buffer): FastProbe | undefined {
  const length = msg.length;
  if (length < 17 || length > 4096) return undefined;
  // QR=0, opcode QUERY, AA/TC clear (RD free); rcode 0 (AD, CD free)
  if (((msg[2] as number) & 0xfe) !== 0 || ((msg[3] as number) & 0x0f) !== 0) return undefined;
  if (msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0) return undefined;
  const arcount = msg[11] as number;
  if (arcount > 1) return undefined;
  let at = 12;
  for (;;) {
    if (at >= length) return undefined;
    const label = msg[at] as number;
    if (label === 0) break;
    if (label > 63) return undefined; // compression or extended labels: generic path
    at += label + 1;
    if (at - 12 > 254) return undefined;
  }
  const nameLength = at + 1 - 12;
  const qtypeAt = at + 1;
  if (qtypeAt + 4 > length) return undefined;
  if (msg[qtypeAt + 2] !== 0 || msg[qtypeAt + 3] !== 1) return undefined; // class IN
  const qtype = msg.readUInt16BE(qtypeAt);
  let payload = 0;
  let shape = 0;
  const end = qtypeAt + 4;
  if (arcount === 0) {
    if (end !== length) return undefined;
  } else {
    // exactly one OPT: root owner, version 0, extended rcode 0, options filling the rdata
    if (end + 11 > length || msg[end] !== 0 || msg.readUInt16BE(end + 1) !== TYPE.OPT) return undefined;
    if (msg[end + 5] !== 0 || msg[end + 6] !== 0) return undefined;
    if (end + 11 + msg.readUInt16BE(end + 9) !== length) return undefined;
    for (let option = end + 11; option < length; option += 4 + msg.readUInt16BE(option + 2)) {
      if (option + 4 > length || option + 4 + msg.readUInt16BE(option + 2) > length) return undefined;
    }
    payload = msg.readUInt16BE(end + 3);
    shape = (msg[end + 7] as number) & 0x80 ? 2 : 1;
  }
  const key = `${msg.toString('latin1', 12, 12 + nameLength).toLowerCase()}/${qtype}/${shape}`;
  return { key, nameLength, payload };
}
