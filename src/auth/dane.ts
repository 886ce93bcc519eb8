// DANE TLSA (RFC 7672, RFC 7671), pure: which keys each MX host's TLSA RRset holds, and whether
// a host presents a key that resolvers may not have in their cache yet.
//
// The key book remembers, per host, every key the STARTTLS probe saw (first and last sighting) and
// since when each key has been in the published TLSA RRset. A host's TLSA RRset is
//   the key it presented last + the announced `next` keys + every key it presented within 2 x TTL
//   of its last sighting
// so a renewed certificate's old key stays until caches holding the old RRset have expired, and a
// host that is down keeps the keys it had when it was last seen.
// A key is "matched" once an RRset holding it has been published for one TTL: before that a
// resolver may still hold the previous RRset. A host presenting an unmatched key is a mismatch —
// except when its RRset was empty before (no cached TLSA, so no DANE to fail).
import type { CertDigests } from '../probe/types.ts';
import type { RData } from '../model.ts';

/** A key as the book stores it: `<selector> <matching> <hex>` (the TLSA fields after the usage). */
export type DaneKey = string;

export interface DaneHostBook {
  /** every key presented, with its first and last sighting (epoch ms) */
  seen: Record<DaneKey, { first: number; last: number }>;
  /** keys in the published TLSA RRset, each with the moment it joined (continuously since) */
  published: Record<DaneKey, number>;
  /** since when the host's published RRset has been non-empty; absent while it is empty */
  since?: number;
}

/** Host name -> its book. Plain data: saved in the state file as it is. */
export type DaneBook = Record<string, DaneHostBook>;

/** Most keys remembered per host (oldest sightings forgotten first; the current key never). */
export const MAX_KEYS_PER_HOST = 16;

/** The TLSA usage mxpool publishes: DANE-EE (RFC 7672 3.1.1). */
export const DANE_EE = 3;

export interface DaneParameters {
  selector: 0 | 1;
  matching: 1 | 2;
}

/** The key of a certificate under the configured selector and matching type; null when not known. */
export function keyOf(digests: CertDigests | null | undefined, { selector, matching }: DaneParameters): DaneKey | null {
  if (!digests) return null;
  const hex = selector === 1 ? (matching === 1 ? digests.spkiSha256 : digests.spkiSha512) : matching === 1 ? digests.certSha256 : digests.certSha512;
  return hex === null ? null : `${selector} ${matching} ${hex}`;
}

export function keyFromDigest(hex: string, { selector, matching }: DaneParameters): DaneKey {
  return `${selector} ${matching} ${hex.toLowerCase()}`;
}

export function tlsaData(key: DaneKey): Extract<RData, { type: 'TLSA' }> {
  const [selector, matching, hex] = key.split(' ') as [string, string, string];
  return { type: 'TLSA', usage: DANE_EE, selector: Number(selector), matchingType: Number(matching), data: hex };
}

export function emptyHostBook(): DaneHostBook {
  return { seen: {}, published: {} };
}

/** The host presented `key` at `now`. Returns a new book; the oldest keys go past the bound. */
export function observe(book: DaneHostBook, key: DaneKey, now: number): DaneHostBook {
  const seen = { ...book.seen };
  const before = seen[key];
  seen[key] = { first: before?.first ?? now, last: Math.max(before?.last ?? now, now) };
  const keys = Object.keys(seen);
  if (keys.length > MAX_KEYS_PER_HOST) {
    keys.sort((a, b) => (seen[a]?.last ?? 0) - (seen[b]?.last ?? 0));
    for (const old of keys.slice(0, keys.length - MAX_KEYS_PER_HOST)) if (old !== key) delete seen[old];
  }
  return { ...book, seen };
}

/** The key the host presented last, or undefined before any sighting. */
export function currentKey(book: DaneHostBook | undefined): DaneKey | undefined {
  let best: DaneKey | undefined;
  let at = Number.NEGATIVE_INFINITY;
  for (const [key, { last }] of Object.entries(book?.seen ?? {})) {
    if (last > at || (last === at && best !== undefined && key < best)) {
      best = key;
      at = last;
    }
  }
  return best;
}

/** The keys the host's TLSA RRset holds now (sorted), by the rule at the top of this file. */
export function rrsetKeys(book: DaneHostBook | undefined, next: readonly DaneKey[], windowMs: number): DaneKey[] {
  const keys = new Set<DaneKey>(next);
  const current = currentKey(book);
  if (current !== undefined && book) {
    const latest = (book.seen[current] as { last: number }).last;
    keys.add(current);
    for (const [key, { last }] of Object.entries(book.seen)) if (last >= latest - windowMs) keys.add(key);
  }
  return [...keys].sort();
}

/** After a publish: the RRset now holds `keys`. Keeps each key's join time; starts new ones now. */
export function published(book: DaneHostBook, keys: readonly DaneKey[], now: number): DaneHostBook {
  const next: Record<DaneKey, number> = {};
  for (const key of keys) next[key] = book.published[key] ?? now;
  const result: DaneHostBook = { seen: book.seen, published: next };
  if (keys.length > 0) result.since = book.since ?? now;
  return result;
}

export interface Mismatch {
  key: DaneKey;
  /** when the key counts as matched (its RRset out for one TTL); undefined: not until the records change */
  until?: number;
}

/**
 * Publish mode: the host's current key is unmatched while the RRset holding it has been out for
 * less than one TTL, unless that RRset was the host's first (nothing cached to contradict it).
 */
export function publishMismatch(book: DaneHostBook | undefined, now: number, ttlMs: number): Mismatch | undefined {
  const key = currentKey(book);
  if (key === undefined || !book) return undefined;
  const joined = book.published[key];
  if (book.since === undefined) return undefined; // no RRset yet: the first one cannot contradict a cache
  if (joined !== undefined && joined <= book.since) return undefined; // in the first RRset
  if (joined !== undefined && now - joined >= ttlMs) return undefined;
  return { key, until: (joined ?? now) + ttlMs };
}

/**
 * Audit mode: the key the host presents (its digests) against TLSA records given by hand. Only
 * DANE-EE (3) records can be compared with a leaf; with a DANE-TA (2) record present the chain
 * decides, which the probe does not judge, so no mismatch is claimed. No usable TLSA: no DANE.
 */
export function staticMismatch(records: readonly Extract<RData, { type: 'TLSA' }>[], digests: CertDigests | null | undefined, parameters: DaneParameters): Mismatch | undefined {
  if (!digests || records.some((r) => r.usage === 2)) return undefined;
  const usable = records.filter((r) => r.usage === DANE_EE);
  if (usable.length === 0 || usable.some((r) => matchesDigests(r, digests))) return undefined;
  const key = keyOf(digests, parameters);
  return key === null ? undefined : { key };
}

/** Does a TLSA record match a certificate's digests (selector 0/1, matching 1/2)? */
export function matchesDigests(record: Extract<RData, { type: 'TLSA' }>, digests: CertDigests | null | undefined): boolean {
  if (!digests || (record.selector !== 0 && record.selector !== 1) || (record.matchingType !== 1 && record.matchingType !== 2)) return false;
  const key = keyOf(digests, { selector: record.selector, matching: record.matchingType });
  return key !== null && key === `${record.selector} ${record.matchingType} ${record.data.toLowerCase()}`;
}
