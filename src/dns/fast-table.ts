// The fast path's index: question name (case-folded), type and EDNS shape -> learnt entry, read
// straight from the query's bytes. A Map keyed by a string cost a string per query (slice, lower
// case, concatenation, then hashing that string): at 10,000 zones (85,000 keys) the lookup was half
// of the fast path's time. Here the name is hashed in one pass over its octets, the slot array is
// probed linearly (hashes in a typed array, so a miss rarely touches an entry) and a candidate's
// stored name is compared octet by octet with the packet's. Deletion shifts the probe run back
// (no tombstones), so a table that keeps learning and forgetting never degrades.

/** What the table needs of an entry: its key. */
export interface FastKey {
  /** holds the question name's octets in wire form, lower case, from `nameAt` on */
  readonly name: Buffer;
  readonly nameAt: number;
  /** octets of the question name */
  readonly nameLength: number;
  readonly qtype: number;
  /** 0 = no EDNS, 1 = EDNS, 2 = EDNS with DO */
  readonly shape: number;
  readonly hash: number;
}

const ASCII_A = 0x41;
const ASCII_Z = 0x5a;
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** An octet of a name in lower case (DNS names compare ASCII case-insensitively, RFC 4343). */
export function foldOctet(octet: number): number {
  return octet >= ASCII_A && octet <= ASCII_Z ? octet | 0x20 : octet;
}

/**
 * FNV-1a over the name octets folded to lower case, then the type and shape; never 0 (0 marks an
 * empty slot). The fast path computes the same value during its label walk (wire.ts readShape).
 */
export function hashQuestion(msg: Buffer, nameStart: number, nameLength: number, qtype: number, shape: number): number {
  let hash = FNV_OFFSET;
  for (let i = nameStart, end = nameStart + nameLength; i < end; i++) hash = Math.imul(hash ^ foldOctet(msg[i] as number), FNV_PRIME);
  return finishHash(hash, qtype, shape);
}

/** The question's hash from the hash of its name's octets. */
export function finishHash(nameHash: number, qtype: number, shape: number): number {
  let hash = Math.imul(nameHash ^ qtype, FNV_PRIME);
  hash = Math.imul(hash ^ shape, FNV_PRIME);
  return hash === 0 ? 1 : hash;
}

export class FastTable<T extends FastKey> {
  readonly #mask: number;
  readonly #hashes: Int32Array;
  readonly #entries: (T | undefined)[];
  #size = 0;

  /** Room for `capacity` entries at a load of at most 0.5. */
  constructor(capacity: number) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#mask = slots - 1;
    this.#hashes = new Int32Array(slots);
    this.#entries = new Array<T | undefined>(slots).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  /** The entry for the question in `msg`, or undefined. */
  find(msg: Buffer, nameStart: number, nameLength: number, qtype: number, shape: number, hash: number): T | undefined {
    const hashes = this.#hashes;
    for (let slot = hash & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const stored = hashes[slot] as number;
      if (stored === 0) return undefined;
      if (stored !== hash) continue;
      const entry = this.#entries[slot] as T;
      if (entry.qtype === qtype && entry.shape === shape && entry.nameLength === nameLength && sameName(entry.name, entry.nameAt, msg, nameStart, nameLength)) return entry;
    }
  }

  /** Adds `entry` (its key must not be in the table: callers delete the old entry first). */
  add(entry: T): void {
    if (this.#size * 2 >= this.#hashes.length) throw new Error('fast table full (callers start over before its capacity)');
    let slot = entry.hash & this.#mask;
    while (this.#hashes[slot] !== 0) slot = (slot + 1) & this.#mask;
    this.#hashes[slot] = entry.hash;
    this.#entries[slot] = entry;
    this.#size++;
  }

  /** Removes this very entry; false when it is not in the table. */
  delete(entry: T): boolean {
    for (let slot = entry.hash & this.#mask; this.#hashes[slot] !== 0; slot = (slot + 1) & this.#mask) {
      if (this.#entries[slot] !== entry) continue;
      this.#shiftBack(slot);
      this.#size--;
      return true;
    }
    return false;
  }

  clear(): void {
    if (this.#size === 0) return; // a zone added at start-up clears an empty table 10,000 times
    this.#hashes.fill(0);
    this.#entries.fill(undefined);
    this.#size = 0;
  }

  /** Backward-shift deletion: entries after the hole move into it when their home slot allows. */
  #shiftBack(hole: number): void {
    const mask = this.#mask;
    for (let next = (hole + 1) & mask; this.#hashes[next] !== 0; next = (next + 1) & mask) {
      const home = (this.#hashes[next] as number) & mask;
      // `next` may fill the hole unless its home lies cyclically in (hole, next]
      const homeBetween = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (homeBetween) continue;
      this.#hashes[hole] = this.#hashes[next] as number;
      this.#entries[hole] = this.#entries[next];
      hole = next;
    }
    this.#hashes[hole] = 0;
    this.#entries[hole] = undefined;
  }
}

function sameName(name: Buffer, nameAt: number, msg: Buffer, start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (name[nameAt + i] !== foldOctet(msg[start + i] as number)) return false;
  return true;
}
