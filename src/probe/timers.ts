// When each host's next probe starts: one timer per host (interval x (1 ± jitter), or the spacing
// health.ts asks for while a host is in transition), or a cron task when `probe.schedule` is set.
// The runner decides *that* a host is probed; this file decides *when*, and re-times the pending
// probes when a config reload changes interval, jitter or schedule.
import cron, { type ScheduledTask } from 'node-cron';
import type { ProbeConfig } from '../config/schema.ts';

export interface RunnerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The part of a host's entry the timers own. */
export interface Timed {
  timer: unknown;
  /** clock time the pending timer fires */
  dueAt: number | undefined;
  /** a probe of the host is in flight (its result schedules the next one) */
  running: unknown;
}

/** The first round is spread over this window so a big pool does not connect all at once. */
const FIRST_ROUND_SPREAD_MS = 1000;

export interface ProbeTimersOptions<E extends Timed> {
  clock: RunnerClock;
  random: () => number;
  /** the probe settings in force (they change on a reload) */
  settings: () => ProbeConfig;
  /** a host's timer fired */
  due: (entry: E) => void;
  /** a cron tick: probe every host */
  tick: () => void;
}

export class ProbeTimers<E extends Timed> {
  readonly #options: ProbeTimersOptions<E>;
  #cron: ScheduledTask | undefined;

  constructor(options: ProbeTimersOptions<E>) {
    this.#options = options;
  }

  /** true when a cron task probes the hosts (no interval timers, but for hosts in transition) */
  get cron(): boolean {
    return this.#options.settings().schedule !== undefined;
  }

  schedule(entry: E, delay: number): void {
    const { clock } = this.#options;
    this.cancel(entry);
    entry.dueAt = clock.now() + delay;
    entry.timer = clock.setTimeout(() => {
      entry.timer = undefined;
      entry.dueAt = undefined;
      this.#options.due(entry);
    }, delay);
  }

  cancel(entry: E): void {
    if (entry.timer === undefined) return;
    this.#options.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.dueAt = undefined;
  }

  /** The first round is spread over at most a second (or the jitter window when smaller). */
  firstDelay(): number {
    const { interval, jitter } = this.#options.settings();
    return Math.floor(this.#options.random() * Math.min(jitter * interval, FIRST_ROUND_SPREAD_MS));
  }

  /** interval x (1 ± jitter) */
  nextDelay(): number {
    const { interval, jitter } = this.#options.settings();
    return Math.max(0, Math.round(interval * (1 + jitter * (2 * this.#options.random() - 1))));
  }

  startCron(): void {
    const { schedule } = this.#options.settings();
    if (schedule !== undefined) this.#cron = cron.schedule(schedule, () => this.#options.tick(), { name: 'mxpool-probe', noOverlap: false });
  }

  async stopCron(): Promise<void> {
    const task = this.#cron;
    this.#cron = undefined;
    await task?.destroy();
  }

  /**
   * A reload changed interval, jitter or schedule: a pending probe due later than a new interval
   * allows is pulled in, hosts move between the cron task and interval timers. Probes in flight
   * schedule their successor with the new timing when they end.
   */
  async retime(entries: Iterable<E>, previous: ProbeConfig): Promise<void> {
    const now = this.#options.clock.now();
    const cronChanged = previous.schedule !== this.#options.settings().schedule;
    for (const entry of entries) {
      if (entry.running) continue;
      if (this.cron) {
        if (cronChanged) this.cancel(entry); // the cron task probes every host now
      } else if (entry.dueAt === undefined) {
        this.schedule(entry, this.firstDelay()); // was probed by cron: back on the interval
      } else {
        this.schedule(entry, Math.max(0, Math.min(entry.dueAt - now, this.nextDelay())));
      }
    }
    if (cronChanged) {
      const old = this.#cron;
      this.#cron = undefined;
      this.startCron();
      await old?.destroy();
    }
  }
}
