// Throttled state writes: a burst of transitions becomes one write, at most one per `minGapMs`,
// and `flush()` writes whatever is pending at once (shutdown). Write errors are logged, the loop goes on.
import type { Logger } from '../log.ts';
import { writeState, type SavedState } from './file.ts';

export interface StateWriterOptions {
  stateDir: string;
  /** builds the state to save at write time, so a throttled write saves the latest truth */
  collect: () => SavedState;
  logger: Logger;
  minGapMs?: number;
  /** injectable for tests */
  setTimer?: (fn: () => void, ms: number) => { unref?: () => void };
  clearTimer?: (timer: unknown) => void;
  now?: () => number;
}

export class StateWriter {
  readonly #options: StateWriterOptions;
  #timer: unknown;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #writes = 0;

  constructor(options: StateWriterOptions) {
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
      writeState(this.#options.stateDir, this.#options.collect());
      this.#writes++;
    } catch (error) {
      this.#options.logger.error({ err: (error as Error).message, stateDir: this.#options.stateDir }, 'could not write the state file; will retry on the next change');
    }
  }
}
