// A FIFO concurrency limit: at most `max` tasks run at once, the rest wait their turn in order —
// except urgent tasks (a host in transition: a held session just lost, a refused connection to
// confirm, a peer's confirm), which wait in their own FIFO that goes first and may also use a few
// slots of their own (`reserve`) above `max`. A dead host must not wait behind a whole round of
// scheduled probes, nor for a slot held by probes waiting out their timeout on an overloaded peer:
// with 1,000 hosts on a busy machine that wait was measured at 6-9 s (bench/cluster).
/** A task's place in the limit: `promote` makes a waiting plain task urgent. */
export interface LimitTicket {
  urgent: boolean;
}

interface Waiter {
  ticket: LimitTicket;
  go: () => void;
}

export class ConcurrencyLimit {
  private max: number;
  private readonly reserve: number;
  private active = 0;
  /** tasks let go from a queue that have not started yet */
  private woken = 0;
  private readonly waiting: Waiter[] = [];
  private readonly urgent: Waiter[] = [];

  constructor(max: number, reserve = 0) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${max}`);
    this.max = max;
    this.reserve = reserve;
  }

  /** A new limit (a config reload): a higher one lets waiting tasks start at once; a lower one applies as running tasks end. */
  resize(max: number): void {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${max}`);
    this.max = max;
    this.wakeAll();
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length + this.urgent.length;
  }

  /**
   * `urgent` (or a ticket, which `promote` may make urgent while the task waits): ahead of every
   * non-urgent task waiting, and may run in the reserve above `max`.
   */
  async run<T>(task: () => Promise<T>, urgent: boolean | LimitTicket = false): Promise<T> {
    const ticket = typeof urgent === 'boolean' ? { urgent } : urgent;
    // a task never overtakes one of its own kind already waiting, and a plain one never an urgent one
    if (!this.free(ticket.urgent) || this.urgent.length > 0 || (!ticket.urgent && this.waiting.length > 0)) {
      await new Promise<void>((go) => (ticket.urgent ? this.urgent : this.waiting).push({ ticket, go }));
      this.woken -= 1;
    }
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.wakeAll();
    }
  }

  /** A task waiting with this ticket becomes urgent (a host waiting for its scheduled probe just lost its held session). */
  promote(ticket: LimitTicket): void {
    if (ticket.urgent) return;
    ticket.urgent = true;
    const at = this.waiting.findIndex((waiter) => waiter.ticket === ticket);
    if (at < 0) return; // running already, or never waited
    this.urgent.push(...this.waiting.splice(at, 1));
    this.wakeAll();
  }

  private free(urgent: boolean): boolean {
    return this.active + this.woken < this.max + (urgent ? this.reserve : 0);
  }

  /** Lets waiting tasks go while there is room (urgent ones first); each counts as `woken` until it runs (a resumed await is not synchronous). */
  private wakeAll(): void {
    for (;;) {
      const next = this.urgent.length > 0 && this.free(true) ? this.urgent.shift() : this.urgent.length === 0 && this.waiting.length > 0 && this.free(false) ? this.waiting.shift() : undefined;
      if (!next) return;
      this.woken += 1;
      next.go();
    }
  }
}
