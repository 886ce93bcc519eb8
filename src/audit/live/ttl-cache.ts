// A map whose entries expire: the resolver's answers (for their TTL, negative answers for the SOA
// minimum, RFC 2308 5), its zone cuts (for the NS TTL) and its dead servers (RFC 2308 7.2). The
// clock is passed in. Bounded: past `maxEntries` the oldest entry goes (Map insertion order).
export class TtlCache<T> {
  readonly #entries = new Map<string, { value: T; expires: number }>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: { now: () => number; maxEntries?: number }) {
    this.#now = options.now;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` for `ttlSeconds`; a TTL of 0 (or less) is not kept at all (RFC 1035 3.2.1). */
  set(key: string, value: T, ttlSeconds: number): void {
    if (!(ttlSeconds > 0)) return;
    this.#entries.delete(key); // re-insert: the newest entry goes to the end of the eviction order
    this.#entries.set(key, { value, expires: this.#now() + ttlSeconds * 1000 });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}
