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
import { FastTable, foldedName, hashQuestion, type FastKey } from './fast-table.ts';
import { MAX_UDP_PAYLOAD, MIN_UDP_PAYLOAD, RCODE, rcodeName, TYPE, typeName } from './constants.ts';

/** Whatever a learned answer depends on; `retired` once it was replaced (a zone version). */
export interface FastOwner {
  readonly retired: boolean;
}

export interface FastEntry extends FastKey {
  /** the distinct templates of this key (one unless the answer rotates) */
  distinct: Buffer[];
  /** rotated answers: per rotation slot, 1 + the index of its template in `distinct`; 0 = not learnt yet */
  slots?: Uint16Array;
  /** a rotating answer: `distinct[0]` holds the set's records in value order, a reply copies them in the query's order */
  rotating?: RotatingTemplate;
  /** octets of the question name (all templates of a key share it) */
  nameLength: number;
  /** offset of the OPT CLASS (payload) field, or -1 */
  optPayloadAt: number;
  type: string;
  rcode: string;
  owner: FastOwner;
}

export interface RotatingTemplate {
  rotations: readonly (readonly number[])[];
  /** where the run of records starts in the template, and where it ends */
  runStart: number;
  runEnd: number;
  /** per value of the set: [offset, length] of its record in the template */
  records: readonly (readonly [number, number])[];
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

export type FastResult = { hit: true; reply: Buffer; entry: FastEntry } | { hit: false; probe?: FastProbe };

const NOT_FAST: FastResult = { hit: false };
const NAME_AT = 12;

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

  /** Answers `msg` from a template, or says why not (with the key to learn when the shape was right). */
  respond(msg: Buffer): FastResult {
    const probe = probeShape(msg);
    if (!probe) return NOT_FAST;
    const entry = this.#entries.find(msg, NAME_AT, probe.nameLength, probe.qtype, probe.shape, probe.hash);
    if (!entry) return { hit: false, probe };
    if (entry.owner.retired) {
      this.#drop(entry);
      return { hit: false, probe };
    }
    let template: Buffer | undefined;
    const slots = entry.slots;
    const rotating = entry.rotating;
    if (!slots) template = entry.distinct[0];
    else {
      const slot = Math.min(Math.floor(this.#random() * slots.length), slots.length - 1);
      const index = slots[slot] as number;
      if (index === 0) return { hit: false, probe: { ...probe, slot } };
      template = entry.distinct[index - 1];
    }
    const limit = probe.payload === 0 ? MIN_UDP_PAYLOAD : replyPayload({ payload: probe.payload, version: 0, do: false });
    if (!template || template.length > limit) return NOT_FAST; // needs truncation: the generic path does it
    const reply = Buffer.allocUnsafe(template.length);
    if (rotating) copyInOrder(template, reply, rotating, pickOrder(rotating, this.#random) as readonly number[]);
    else template.copy(reply);
    reply[0] = msg[0] as number;
    reply[1] = msg[1] as number;
    reply[2] = (template[2] as number) | ((msg[2] as number) & 0x01);
    reply[3] = (template[3] as number) | ((msg[3] as number) & 0x10);
    msg.copy(reply, 12, 12, 12 + entry.nameLength);
    if (entry.optPayloadAt >= 0) reply.writeUInt16BE(limit, entry.optPayloadAt);
    return { hit: true, reply, entry };
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
    if (!entry) {
      entry = this.#newEntry(probe, response, encoded.length, owner);
      if (rotated) entry.slots = new Uint16Array(slotCount);
    }
    let index = entry.distinct.findIndex((known) => known.equals(encoded));
    if (index < 0) {
      index = entry.distinct.push(this.#arena.keep(encoded)) - 1;
      this.#bytes += encoded.length;
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
    const records: [number, number][] = new Array(run.order.length);
    const at = run.order.map((value, k) => ({ value, from: marks[k] as number, to: marks[k + 1] as number })).sort((a, b) => a.value - b.value);
    let offset = runStart;
    for (const record of at) {
      bytes.copy(arranged, offset, record.from, record.to);
      records[record.value] = [offset, record.to - record.from];
      offset += record.to - record.from;
    }
    const entry = this.#newEntry(probe, response, bytes.length, owner);
    entry.rotating = { rotations: run.rotations, runStart, runEnd, records };
    entry.distinct.push(this.#arena.keep(arranged));
    this.#bytes += arranged.length;
  }

  #newEntry(probe: FastProbe, response: Response, length: number, owner: FastOwner): FastEntry {
    if (this.#entries.size >= this.#limits.entries || this.#arena.held >= this.#limits.bytes) this.clear();
    const optPayloadAt = response.edns ? length - 11 + 3 : -1;
    const name = this.#arena.keep(foldedName(probe.msg, NAME_AT, probe.nameLength));
    const entry: FastEntry = { name, qtype: probe.qtype, shape: probe.shape, hash: probe.hash, distinct: [], nameLength: probe.nameLength, optPayloadAt, type: typeName(response.question?.type ?? 0), rcode: rcodeName(response.rcode), owner };
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
  template.copy(reply, 0, 0, rotating.runStart);
  let at = rotating.runStart;
  for (const value of order) {
    const [from, length] = rotating.records[value] as readonly [number, number];
    template.copy(reply, at, from, from + length);
    at += length;
  }
  template.copy(reply, at, rotating.runEnd);
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
  return { msg, hash: hashQuestion(msg, NAME_AT, nameLength, qtype, shape), nameLength, qtype, shape, payload };
}

