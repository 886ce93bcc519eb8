// The fast path: precompiled wire answers per (question name, type, EDNS shape). A query in the
// common shape (one question, no compression, at most an OPT) is answered by copying a template and
// patching the ID, the RD/CD bits, the question's case (0x20) and the OPT payload — no decoding, no
// encoding. Everything else, and every first query for a key, goes through the generic path
// (decode -> answer -> encode), which teaches the fast path the template.
// Weighted sets: a query picks one of 256 rotation slots at random. When the rotated set ends the
// message (a tenant's MX, a pool name's A: answer.ts `rotating`), its records are encoded so that any
// order of them is the same bytes rearranged: one template serves every order, the query's order is
// copied record by record. Otherwise (a rotated set followed by additional records) a slot's template
// is learned the first time that slot is picked, together with every slot of the same rotation order.
// Each entry belongs to one zone version (its `owner`): when the version is replaced, its entries
// are dropped lazily, at their next hit — one zone's change does not flush the other zones' answers.
import type { Response } from './answer.ts';
import { pickOrder, replyPayload } from './answer.ts';
import { encodeMarked, encodeResponse } from './encode.ts';
import { TemplateArena } from './template-arena.ts';
import { FastTable, finishHash, FNV_OFFSET, FNV_PRIME, foldOctet, type FastKey } from './fast-table.ts';
import { MAX_UDP_PAYLOAD, MIN_UDP_PAYLOAD, RCODE, rcodeName, TYPE, typeName } from './constants.ts';

/** Whatever a learned answer depends on; `retired` once it was replaced (a zone version). */
export interface FastOwner {
  readonly retired: boolean;
}

export interface FastEntry extends FastKey {
  /** the first template (`distinct[0]`); `name` is this very buffer, its question name folded to lower case */
  template: Buffer;
  /** the distinct templates of this key (one unless the answer rotates) */
  distinct: Buffer[];
  /** rotated answers: per rotation slot, 1 + the index of its template in `distinct`; 0 = not learnt yet */
  slots?: Uint16Array;
  /** a rotating answer: `distinct[0]` holds the set's records in value order, a reply copies them in the query's order */
  rotating?: RotatingTemplate;
  /** offset of the OPT CLASS (payload) field, or -1 */
  optPayloadAt: number;
  type: string;
  rcode: string;
  owner: FastOwner;
  /** where the server counts this entry's answers (kept at its first answer: no lookup per query) */
  tally: { count: number } | undefined;
}

export interface RotatingTemplate {
  rotations: readonly (readonly number[])[];
  /** where the run of records starts in the template, and where it ends */
  runStart: number;
  runEnd: number;
  /** per value k of the set: its record's offset in the template at [2k], its length at [2k + 1] */
  spans: Int32Array;
}

export interface FastProbe {
  /** the query (the question name starts at octet 12) */
  msg: Buffer;
  hash: number;
  nameLength: number;
  qtype: number;
  /** 0 = no EDNS, 1 = EDNS, 2 = EDNS with DO */
  shape: number;
  /** client's EDNS payload, or 0 without EDNS */
  payload: number;
  /** the rotation slot a weighted answer must be built for (the slot not learned yet) */
  slot?: number;
}

const NAME_AT = 12;
const EMPTY = Buffer.alloc(0);

/** Bound on remembered keys: random names (NXDOMAIN floods) cannot grow memory without limit. */
export const MAX_FAST_ENTRIES = 100_000;
/** Bound on template memory (the arena's chunks): many weighted answers over many zones stay within it. */
export const MAX_FAST_BYTES = 48 * 1024 * 1024;

export class FastPath {
  readonly #entries: FastTable<FastEntry>;
  readonly #random: () => number;
  /** where kept templates live; its chunks count against MAX_FAST_BYTES */
  readonly #arena = new TemplateArena();
  #bytes = 0;

  readonly #limits: { entries: number; bytes: number };
  /** the shape of the query being answered (reused: no object per query) */
  readonly #shape: FastProbe = { msg: EMPTY, hash: 0, nameLength: 0, qtype: 0, shape: 0, payload: 0 };
  /** the entry that gave the last reply of `respond` */
  hit: FastEntry | undefined;
  /** after a miss of `respond`: the key to learn, or undefined when the query cannot use the fast path */
  miss: FastProbe | undefined;

  /** `limits`: the bounds (tests make them small) */
  constructor(random: () => number, limits: { entries: number; bytes: number } = { entries: MAX_FAST_ENTRIES, bytes: MAX_FAST_BYTES }) {
    this.#random = random;
    this.#limits = limits;
    this.#entries = new FastTable(limits.entries);
  }

  /** Octets of template memory held since the last start-over (what the byte bound counts). */
  get held(): number {
    return this.#arena.held;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held by templates. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Forgets every template (the set of zones changed: any name may now belong elsewhere). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
    this.#arena.reset();
  }

  /**
   * The reply to `msg` from a learnt template, or undefined. After a hit `hit` is the entry that
   * answered; after a miss `miss` is the key to learn (undefined when the query's shape is not the
   * common one, or the reply would need truncation). Nothing is allocated on a hit but the reply:
   * at tens of thousands of queries per second every object per query shows in the CPU profile.
   */
  respond(msg: Buffer): Buffer | undefined {
    this.hit = undefined;
    this.miss = undefined;
    const shape = this.#shape;
    if (!readShape(msg, shape)) return undefined;
    const entry = this.#entries.find(msg, NAME_AT, shape.nameLength, shape.qtype, shape.shape, shape.hash);
    if (!entry) return this.#missed(undefined);
    if (entry.owner.retired) {
      this.#drop(entry);
      return this.#missed(undefined);
    }
    let template: Buffer | undefined;
    const slots = entry.slots;
    const rotating = entry.rotating;
    if (!slots) template = entry.template;
    else {
      const slot = Math.min(Math.floor(this.#random() * slots.length), slots.length - 1);
      const index = slots[slot] as number;
      if (index === 0) return this.#missed(slot);
      template = entry.distinct[index - 1];
    }
    const limit = shape.payload === 0 ? MIN_UDP_PAYLOAD : replyPayload({ payload: shape.payload, version: 0, do: false });
    if (!template || template.length > limit) return undefined; // needs truncation: the generic path does it
    const reply = Buffer.allocUnsafe(template.length);
    if (rotating) copyInOrder(template, reply, rotating, pickOrder(rotating, this.#random) as readonly number[]);
    else reply.set(template);
    reply[0] = msg[0] as number;
    reply[1] = msg[1] as number;
    reply[2] = (template[2] as number) | ((msg[2] as number) & 0x01);
    reply[3] = (template[3] as number) | ((msg[3] as number) & 0x10);
    // the question as asked (0x20 case: the template holds it in lower case)
    for (let i = NAME_AT, end = NAME_AT + entry.nameLength; i < end; i++) reply[i] = msg[i] as number;
    const payloadAt = entry.optPayloadAt;
    if (payloadAt >= 0) {
      reply[payloadAt] = limit >>> 8;
      reply[payloadAt + 1] = limit & 0xff;
    }
    this.hit = entry;
    return reply;
  }

  /** A miss whose key can be learnt: a copy of the scratch shape (with the slot to build, if any). */
  #missed(slot: number | undefined): undefined {
    this.miss = slot === undefined ? { ...this.#shape } : { ...this.#shape, slot };
    return undefined;
  }

  /**
   * Stores the template of `response` for the probe's key: the only one, or — when the answer picked
   * weighted rotations — the one of rotation `slot` of `slotCount`, also for every other slot whose
   * rotations of the same sets are equal (they would give the same bytes).
   */
  learn(probe: FastProbe, response: Response, owner: FastOwner, slot: number, slotCount: number): void {
    if (!cacheable(response)) return;
    if (response.rotating) {
      this.#learnRotating(probe, response, owner);
      return;
    }
    const encoded = encodeResponse({ ...response, id: 0, rd: false, cd: false }, 0xffff);
    if (encoded.length > MAX_UDP_PAYLOAD) return;
    const rotated = response.rotated === true;
    let entry = this.#find(probe);
    if (entry && (entry.owner !== owner || entry.rotating !== undefined || (entry.slots !== undefined) !== rotated)) {
      this.#drop(entry);
      entry = undefined;
    }
    foldQuestion(encoded, probe.nameLength); // templates are compared (and keyed) with the name in lower case
    let index: number;
    if (!entry) {
      entry = this.#newEntry(probe, response, encoded, owner);
      if (rotated) entry.slots = new Uint16Array(slotCount);
      index = 0;
    } else {
      index = entry.distinct.findIndex((known) => known.equals(encoded));
      if (index < 0) {
        index = entry.distinct.push(this.#arena.keep(encoded)) - 1;
        this.#bytes += encoded.length;
      }
    }
    if (!entry.slots) return;
    for (const peer of peerSlots(response, slot, slotCount)) entry.slots[peer] = index + 1;
  }

  /** The one template of a rotating answer: the run's records rearranged into value order. */
  #learnRotating(probe: FastProbe, response: Response, owner: FastOwner): void {
    const run = response.rotating as NonNullable<Response['rotating']>;
    const { bytes, marks } = encodeMarked({ ...response, id: 0, rd: false, cd: false }, 0xffff);
    if (bytes.length > MAX_UDP_PAYLOAD || marks.length !== run.order.length + 1) return;
    const known = this.#find(probe);
    if (known?.owner === owner && known.rotating) return; // learnt already (a concurrent miss)
    if (known) this.#drop(known);
    const runStart = marks[0] as number;
    const runEnd = marks[marks.length - 1] as number;
    const arranged = Buffer.allocUnsafe(bytes.length);
    bytes.copy(arranged, 0, 0, runStart);
    bytes.copy(arranged, runEnd, runEnd);
    const spans = new Int32Array(2 * run.order.length);
    const at = run.order.map((value, k) => ({ value, from: marks[k] as number, to: marks[k + 1] as number })).sort((a, b) => a.value - b.value);
    let offset = runStart;
    for (const record of at) {
      bytes.copy(arranged, offset, record.from, record.to);
      spans[2 * record.value] = offset;
      spans[2 * record.value + 1] = record.to - record.from;
      offset += record.to - record.from;
    }
    foldQuestion(arranged, probe.nameLength);
    const entry = this.#newEntry(probe, response, arranged, owner);
    entry.rotating = { rotations: run.rotations, runStart, runEnd, spans };
  }

  /**
   * A new entry with its first template (question name already folded). The template is also the
   * key's name (at octet 12): a hit compares and copies the same memory, one object fewer to reach.
   */
  #newEntry(probe: FastProbe, response: Response, template: Buffer, owner: FastOwner): FastEntry {
    if (this.#entries.size >= this.#limits.entries || this.#arena.held >= this.#limits.bytes) this.clear();
    const optPayloadAt = response.edns ? template.length - 11 + 3 : -1;
    const kept = this.#arena.keep(template);
    this.#bytes += kept.length;
    const entry: FastEntry = { name: kept, nameAt: NAME_AT, nameLength: probe.nameLength, qtype: probe.qtype, shape: probe.shape, hash: probe.hash, template: kept, distinct: [kept], optPayloadAt, type: typeName(response.question?.type ?? 0), rcode: rcodeName(response.rcode), owner, tally: undefined };
    this.#entries.add(entry);
    return entry;
  }

  #find(probe: FastProbe): FastEntry | undefined {
    return this.#entries.find(probe.msg, NAME_AT, probe.nameLength, probe.qtype, probe.shape, probe.hash);
  }

  #drop(entry: FastEntry): void {
    this.#entries.delete(entry);
    for (const template of entry.distinct) this.#bytes -= template.length;
  }
}

/** A rotating template copied into `reply` with the run's records in `order`. */
function copyInOrder(template: Buffer, reply: Buffer, rotating: RotatingTemplate, order: readonly number[]): void {
  copyOctets(template, 0, rotating.runStart, reply, 0);
  let at = rotating.runStart;
  const spans = rotating.spans;
  for (const value of order) {
    const from = spans[2 * value] as number;
    const length = spans[2 * value + 1] as number;
    copyOctets(template, from, from + length, reply, at);
    at += length;
  }
  copyOctets(template, rotating.runEnd, template.length, reply, at);
}

/** The question name of a message (octet 12 on, `length` octets) folded to lower case, in place. */
function foldQuestion(message: Buffer, length: number): void {
  for (let i = NAME_AT; i < NAME_AT + length; i++) message[i] = foldOctet(message[i] as number);
}

/** Octets `from`..`to` of `source` to `target` at `at` (a record: a few dozen octets). */
function copyOctets(source: Buffer, from: number, to: number, target: Buffer, at: number): void {
  for (let i = from; i < to; i++) target[at++] = source[i] as number;
}

/** The slots whose rotations of every rotated set in `response` equal those of `slot`. */
function peerSlots(response: Response, slot: number, slotCount: number): number[] {
  const sets = response.rotatedSets ?? [];
  if (sets.length === 0 || sets.some((set) => set.slotClass === undefined || set.slotClass.length !== slotCount)) return [slot];
  const peers: number[] = [];
  for (let other = 0; other < slotCount; other++) {
    if (sets.every((set) => (set.slotClass as Uint16Array)[other] === (set.slotClass as Uint16Array)[slot])) peers.push(other);
  }
  return peers;
}

function cacheable(response: Response): boolean {
  if (response.transfer || !response.question) return false;
  if (response.rcode !== RCODE.NOERROR && response.rcode !== RCODE.NXDOMAIN && response.rcode !== RCODE.REFUSED) return false;
  const type = response.question.type;
  return type !== TYPE.AXFR && type !== TYPE.IXFR;
}

/** Recognizes the common query shape without decoding; returns what the template's key is made of, or undefined. */
export function probeShape(msg: Buffer): FastProbe | undefined {
  const shape: FastProbe = { msg, hash: 0, nameLength: 0, qtype: 0, shape: 0, payload: 0 };
  return readShape(msg, shape) ? shape : undefined;
}

/**
 * `probeShape` into a caller's object: false when `msg` is not in the common shape. The name is
 * walked once, label by label, hashing its octets as it goes (the hash of `hashQuestion`).
 */
function readShape(msg: Buffer, into: FastProbe): boolean {
  const length = msg.length;
  if (length < 17 || length > 4096) return false;
  // QR=0, opcode QUERY, AA/TC clear (RD free); rcode 0 (AD, CD free)
  if (((msg[2] as number) & 0xfe) !== 0 || ((msg[3] as number) & 0x0f) !== 0) return false;
  if (msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0) return false;
  const arcount = msg[11] as number;
  if (arcount > 1) return false;
  let hash = FNV_OFFSET;
  let at = NAME_AT;
  for (;;) {
    if (at >= length) return false;
    const label = msg[at] as number;
    hash = Math.imul(hash ^ label, FNV_PRIME); // a length octet (<= 63) is its own lower case
    if (label === 0) break;
    if (label > 63) return false; // compression or extended labels: generic path
    const end = at + 1 + label;
    if (end - NAME_AT > 254 || end >= length) return false;
    for (let i = at + 1; i < end; i++) hash = Math.imul(hash ^ foldOctet(msg[i] as number), FNV_PRIME);
    at = end;
  }
  const nameLength = at + 1 - NAME_AT;
  const qtypeAt = at + 1;
  if (qtypeAt + 4 > length) return false;
  if (msg[qtypeAt + 2] !== 0 || msg[qtypeAt + 3] !== 1) return false; // class IN
  const qtype = ((msg[qtypeAt] as number) << 8) | (msg[qtypeAt + 1] as number);
  let payload = 0;
  let shape = 0;
  const end = qtypeAt + 4;
  if (arcount === 0) {
    if (end !== length) return false;
  } else {
    // exactly one OPT: root owner, version 0, extended rcode 0, options filling the rdata
    if (end + 11 > length || msg[end] !== 0 || msg.readUInt16BE(end + 1) !== TYPE.OPT) return false;
    if (msg[end + 5] !== 0 || msg[end + 6] !== 0) return false;
    if (end + 11 + msg.readUInt16BE(end + 9) !== length) return false;
    for (let option = end + 11; option < length; option += 4 + msg.readUInt16BE(option + 2)) {
      if (option + 4 > length || option + 4 + msg.readUInt16BE(option + 2) > length) return false;
    }
    payload = msg.readUInt16BE(end + 3);
    shape = (msg[end + 7] as number) & 0x80 ? 2 : 1;
  }
  into.msg = msg;
  into.hash = finishHash(hash, qtype, shape);
  into.nameLength = nameLength;
  into.qtype = qtype;
  into.shape = shape;
  into.payload = payload;
  return true;
}
