// Memory for the fast path's templates, kept apart from everything else. A template copied from
// Node's shared Buffer pool would pin an 8 KB slab full of short-lived replies for as long as it is
// kept (after the QPS runs of bench/zones: ~120 MB of pool slabs for ~25 MB of templates), and a
// buffer of its own per template costs a backing store each. Templates are copied into 64 KB chunks
// that hold nothing else instead; the bound the fast path enforces is on the chunks handed out since
// it last started over, so a chunk kept alive by one surviving template is still counted.

const CHUNK = 64 * 1024;

export class TemplateArena {
  #chunk: Buffer | undefined;
  #used = 0;
  #held = 0;

  /** Octets of the chunks (and large templates) handed out since the last reset. */
  get held(): number {
    return this.#held;
  }

  /** A copy of `bytes` in the arena's own memory. */
  keep(bytes: Buffer): Buffer {
    if (bytes.length > CHUNK / 4) {
      const own = Buffer.allocUnsafeSlow(bytes.length);
      bytes.copy(own);
      this.#held += own.length;
      return own;
    }
    if (!this.#chunk || this.#used + bytes.length > CHUNK) {
      this.#chunk = Buffer.allocUnsafeSlow(CHUNK);
      this.#used = 0;
      this.#held += CHUNK;
    }
    const own = this.#chunk.subarray(this.#used, this.#used + bytes.length);
    bytes.copy(own);
    this.#used += bytes.length;
    return own;
  }

  /** Starts over: the templates handed out so far are dropped by the caller (their chunks go with them). */
  reset(): void {
    this.#chunk = undefined;
    this.#used = 0;
    this.#held = 0;
  }
}
