// A FIFO concurrency limit: at most `max` tasks run at once, the rest wait their turn in order —
// except urgent tasks (a host in transition: a held session just lost, a failure to confirm), which
// wait in their own FIFO that goes first. A dead host must not wait behind a whole round of scheduled
// probes of healthy ones: with 1,000 hosts that queue can be seconds long on a busy machine.
export class ConcurrencyLimit {
  private max: number;
  private active = 0;
  /** tasks let go from the queue that have not started yet */
  private woken = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly urgent: Array<() => void> = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${max}`);
    this.max = max;
  }

  /** A new limit (a config reload): a higher one lets waiting tasks start at once; a lower one applies as running tasks end. */
  resize(max: number): void {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${max}`);
    this.max = max;
    for (let free = this.max - this.active - this.woken; free > 0 && this.queued > 0; free--) this.wake();
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length + this.urgent.length;
  }

  /** `urgent`: ahead of every non-urgent task waiting (urgent ones keep their order among themselves). */
  async run<T>(task: () => Promise<T>, urgent = false): Promise<T> {
    if (this.active + this.woken >= this.max) {
      await new Promise<void>((resolve) => (urgent ? this.urgent : this.waiting).push(resolve));
      this.woken -= 1;
    }
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      if (this.active + this.woken < this.max) this.wake();
    }
  }

  /** Lets the first waiting task go; it counts as `woken` until it runs (a resumed await is not synchronous). */
  private wake(): void {
    const next = this.urgent.shift() ?? this.waiting.shift();
    if (!next) return;
    this.woken += 1;
    next();
  }
}
