// Throttled writes to stateDir: a burst of changes becomes one write, at most one per `minGapMs`,
// and `flush()` writes whatever is pending at once (shutdown). Write errors are logged, the loop goes
// on. StateWriter writes the state file (the IXFR journals have their own batched saver).
import type { Logger } from '../log.ts';
import { writeState, type SavedState } from './file.ts';

export interface ThrottleOptions {
  /** does the write; throws on failure */
  write: () => void;
  /** what is written, for the error log line: "the state file", "the journal of example.com" */
  what: string;
  logger: Logger;
  minGapMs?: number;
  /** injectable for tests */
  setTimer?: (fn: () => void, ms: number) => { unref?: () => void };
  clearTimer?: (timer: unknown) => void;
  now?: () => number;
}

export class ThrottledWriter {
  readonly #options: ThrottleOptions;
  #timer: unknown;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #writes = 0;

  constructor(options: ThrottleOptions) {
    this.#options = options;
  }

  get writes(): number {
    return this.#writes;
  }

  /** Something changed: write soon (at once if the last write is older than the gap). */
  schedule(): void {
    if (this.#timer !== undefined) return;
    const now = (this.#options.now ?? Date.now)();
    const gap = this.#options.minGapMs ?? 1000;
    const wait = Math.max(0, this.#lastWriteAt + gap - now);
    const setTimer = this.#options.setTimer ?? setTimeout;
    const timer = setTimer(() => {
      this.#timer = undefined;
      this.#writeNow();
    }, wait);
    timer.unref?.();
    this.#timer = timer;
  }

  /** Writes now if anything is pending (or `force`), cancelling the scheduled write. */
  flush(force = false): void {
    const pending = this.#timer !== undefined;
    if (pending) (this.#options.clearTimer ?? clearTimeout)(this.#timer as ReturnType<typeof setTimeout>);
    this.#timer = undefined;
    if (pending || force) this.#writeNow();
  }

  #writeNow(): void {
    this.#lastWriteAt = (this.#options.now ?? Date.now)();
    try {
      this.#options.write();
      this.#writes++;
    } catch (error) {
      this.#options.logger.error({ err: (error as Error).message }, `could not write ${this.#options.what}; will retry on the next change`);
    }
  }
}

export interface StateWriterOptions extends Omit<ThrottleOptions, 'write' | 'what'> {
  stateDir: string;
  /** builds the state to save at write time, so a throttled write saves the latest truth */
  collect: () => SavedState;
  /** after each successful write (the state file now holds what logs kept meanwhile) */
  written?: () => void;
}

export class StateWriter extends ThrottledWriter {
  constructor(options: StateWriterOptions) {
    super({ ...options, what: `the state file in ${options.stateDir}`, write: () => {
      writeState(options.stateDir, options.collect());
      options.written?.();
    } });
  }
}
