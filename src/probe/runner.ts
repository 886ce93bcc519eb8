// Schedules probes for every configured host and runs them through the health machine.
// - interval with jitter (`probe.interval`, `probe.jitter`), or node-cron when `probe.schedule` is set;
// - at most `probe.concurrency` probes at once; never two probes of one host at once (a request for
//   a host already being probed is coalesced into one follow-up probe);
// - spacing is start-to-start: a probe that waited out its timeout does not push the next one later;
// - hosts in transition are probed sooner (HAProxy's fastinter; see `transitionSpacing` in
//   health.ts): a refused probe of a host still counted up is repeated after 200 ms, any other
//   failure confirmed one timeout after the failed probe started, a recovering host re-probed
//   after half an interval;
// - `probe.hold`: one idle SMTP session per healthy host; its loss triggers a probe at once.
// The clock and random source are parameters so scheduling is testable with a fake clock.
import { EventEmitter } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import type { Config, HostConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { HealthSnapshot, HostHealth } from '../model.ts';
import { MxpoolError } from '../errors.ts';
import { drain, initialHealth, nextHealth, toHostHealth, transitionSpacing, undrain, type HealthEvent, type HostHealthState } from './health.ts';
import { HoldManager, type HoldOptions } from './hold.ts';
import { ConcurrencyLimit } from './limit.ts';
import { probeOptionsFrom, targetOf } from './options.ts';
import { probeSmtp } from './smtp.ts';
import type { ProbeFunction, ProbeOptions, ProbeResult, ProbeTarget } from './types.ts';

export interface RunnerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ProbeRunnerOptions {
  config: Config;
  logger: Logger;
  clock?: RunnerClock;
  random?: () => number;
  /** injectable for scheduling unit tests only; integration tests use real servers */
  probe?: ProbeFunction;
  /** the CA PEM when the caller already read `probe.caFile` (else the runner reads it, once) */
  ca?: string | Buffer;
  /** internal tuning of held sessions (NOOP spacing, recycling, reopen pause); defaults suit real servers */
  hold?: Pick<HoldOptions, 'noopIntervalMs' | 'maxNoops' | 'reopenDelayMs'>;
}

export type TransitionEvent = HealthEvent<ProbeResult>;

interface RunnerEvents {
  probe: [host: string, result: ProbeResult];
  transition: [event: TransitionEvent];
}

/** The first round is spread over this window so a big pool does not connect all at once. */
const FIRST_ROUND_SPREAD_MS = 1000;

/** How many results `history(host)` keeps (a latency chart's worth). */
export const HISTORY_LENGTH = 60;

export class UnknownHostError extends MxpoolError {
  constructor(host: string) {
    super('USAGE', 'probe', `no host named ${host} in the config`);
  }
}

interface HostEntry {
  config: HostConfig;
  target: ProbeTarget;
  pool: string;
  health: HostHealthState;
  timer: unknown;
  running: Promise<ProbeResult> | undefined;
  /** clock time at which the probe in flight (or the last one) actually started */
  startedAt: number;
  /** another probe was asked for while one was running */
  again: boolean;
  history: ProbeResult[];
}

const realClock: RunnerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class ProbeRunner extends EventEmitter<RunnerEvents> {
  private readonly config: Config;
  private readonly logger: Logger;
  private readonly clock: RunnerClock;
  private readonly random: () => number;
  private readonly probe: ProbeFunction;
  private readonly probeOptions: ProbeOptions;
  private readonly entries = new Map<string, HostEntry>();
  private readonly limit: ConcurrencyLimit;
  private readonly hold: HoldManager | undefined;
  private cronTask: ScheduledTask | undefined;
  private started = false;
  private stopping = false;

  constructor(options: ProbeRunnerOptions) {
    super();
    this.config = options.config;
    this.logger = options.logger;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.probe = options.probe ?? probeSmtp;
    this.probeOptions = { ...probeOptionsFrom(options.config, options.ca), now: () => this.clock.now() };
    this.limit = new ConcurrencyLimit(options.config.probe.concurrency);
    const now = this.clock.now();
    for (const pool of options.config.pools) {
      for (const host of pool.hosts) {
        this.entries.set(host.name, {
          config: host,
          target: targetOf(host),
          pool: pool.name,
          health: initialHealth(host, pool.name, now),
          timer: undefined,
          running: undefined,
          startedAt: now,
          again: false,
          history: [],
        });
      }
    }
    if (options.config.probe.hold) {
      this.hold = new HoldManager({
        ...options.hold,
        helo: this.probeOptions.helo,
        timeoutMs: this.probeOptions.timeoutMs,
        logger: this.logger,
        onLost: (host, reason) => this.onHoldLost(host, reason),
      });
    }
  }

  /** Starts the schedule. The first round starts at once, spread over at most a second (or the jitter window when smaller). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { schedule, interval, jitter } = this.config.probe;
    if (schedule !== undefined) {
      this.cronTask = cron.schedule(schedule, () => this.probeEveryHost(), { name: 'mxpool-probe', noOverlap: false });
    }
    for (const entry of this.entries.values()) {
      this.schedule(entry, Math.floor(this.random() * Math.min(jitter * interval, FIRST_ROUND_SPREAD_MS)));
    }
  }

  /** Stops timers and cron, waits for probes in flight, closes held sessions. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.cronTask) {
      await this.cronTask.destroy();
      this.cronTask = undefined;
    }
    for (const entry of this.entries.values()) this.cancelTimer(entry);
    const running = [...this.entries.values()].flatMap((entry) => (entry.running ? [entry.running] : []));
    await Promise.allSettled(running);
    await this.hold?.closeAll();
  }

  /** Probes every host once (respecting the concurrency limit); resolves with each host's result. */
  async probeAllOnce(): Promise<Map<string, ProbeResult>> {
    const names = [...this.entries.keys()];
    const results = await Promise.all(names.map((name) => this.probeNow(name)));
    return new Map(names.map((name, i) => [name, results[i] as ProbeResult]));
  }

  /** Probes one host now, or joins the probe already running for it. */
  probeNow(host: string): Promise<ProbeResult> {
    return this.run(this.entry(host));
  }

  snapshot(): HealthSnapshot {
    return new Map([...this.entries].map(([name, entry]) => [name, toHostHealth(entry.health)]));
  }

  drain(host: string): HostHealth {
    const entry = this.entry(host);
    this.apply(entry, drain(entry.health, this.clock.now()), undefined);
    return toHostHealth(entry.health);
  }

  undrain(host: string): HostHealth {
    const entry = this.entry(host);
    this.apply(entry, undrain(entry.health, this.clock.now()), undefined);
    return toHostHealth(entry.health);
  }

  /** Health saved by a previous run (hosts no longer in the config are ignored). Call before start(). */
  restore(saved: readonly HostHealth[]): void {
    for (const item of saved) {
      const entry = this.entries.get(item.host);
      if (!entry || item.pool !== entry.pool) continue;
      entry.health = initialHealth(entry.config, entry.pool, this.clock.now(), item);
    }
  }

  lastResults(): Map<string, ProbeResult> {
    const results = new Map<string, ProbeResult>();
    for (const [name, entry] of this.entries) {
      const last = entry.history[entry.history.length - 1];
      if (last) results.set(name, last);
    }
    return results;
  }

  history(host: string): ProbeResult[] {
    return [...this.entry(host).history];
  }

  /** The full machine state of one host (counters included), for diagnostics and tests. */
  healthOf(host: string): HostHealthState {
    return this.entry(host).health;
  }

  private entry(host: string): HostEntry {
    const entry = this.entries.get(host.toLowerCase().replace(/\.$/, ''));
    if (!entry) throw new UnknownHostError(host);
    return entry;
  }

  private probeEveryHost(): void {
    for (const entry of this.entries.values()) void this.run(entry);
  }

  private run(entry: HostEntry): Promise<ProbeResult> {
    if (entry.running) {
      entry.again = true;
      return entry.running;
    }
    this.cancelTimer(entry);
    const running = this.limit
      .run(() => this.safeProbe(entry))
      .then((result) => {
        entry.running = undefined;
        this.record(entry, result);
        return result;
      });
    entry.running = running;
    return running;
  }

  private async safeProbe(entry: HostEntry): Promise<ProbeResult> {
    const at = this.clock.now();
    entry.startedAt = at;
    try {
      return await this.probe(entry.target, this.probeOptions);
    } catch (error) {
      // probeSmtp never throws; an injected or future probe might — that is a failed probe, not a crash
      const reason = `probe error: ${error instanceof Error ? error.message : String(error)}`;
      return { ok: false, stage: 'connect', reason, code: null, ms: this.clock.now() - at, banner: null, extensions: [], tls: undefined, at };
    }
  }

  private record(entry: HostEntry, result: ProbeResult): void {
    entry.history.push(result);
    if (entry.history.length > HISTORY_LENGTH) entry.history.splice(0, entry.history.length - HISTORY_LENGTH);
    const { rise, fall } = this.config.probe;
    const next = nextHealth(entry.health, result, { rise, fall }, this.clock.now());
    this.safeEmit('probe', entry.config.name, result);
    this.apply(entry, next, result);
    this.updateHold(entry);
    if (this.stopping || !this.started) return;
    if (entry.again) {
      entry.again = false;
      void this.run(entry);
      return;
    }
    const spacing = transitionSpacing(entry.health, result, this.config.probe);
    if (spacing === undefined && this.config.probe.schedule !== undefined) return; // the cron task probes
    // start-to-start: the time this probe took (up to its timeout) counts toward the spacing
    const elapsed = this.clock.now() - entry.startedAt;
    this.schedule(entry, Math.max(0, (spacing ?? this.nextDelay()) - elapsed));
  }

  private apply(entry: HostEntry, next: HostHealthState, result: ProbeResult | undefined): void {
    const before = entry.health;
    entry.health = next;
    if (before.state === next.state) return;
    const event: TransitionEvent = { host: next.host, pool: next.pool, from: before.state, to: next.state, at: this.clock.now() };
    if (result) event.result = result;
    this.logger.info({ host: event.host, pool: event.pool, from: event.from, to: event.to, reason: result?.reason || undefined }, 'host health changed');
    this.safeEmit('transition', event);
  }

  private updateHold(entry: HostEntry): void {
    if (!this.hold) return;
    const wanted = this.started && !this.stopping && entry.health.probed === 'healthy' && !entry.health.disabled;
    if (wanted) this.hold.hold(entry.target);
    else this.hold.release(entry.config.name);
  }

  private onHoldLost(host: string, reason: string): void {
    if (this.stopping) return;
    this.logger.warn({ host, reason }, 'held SMTP session lost: probing at once');
    const entry = this.entries.get(host);
    if (entry) void this.run(entry);
  }

  /** interval x (1 ± jitter) */
  private nextDelay(): number {
    const { interval, jitter } = this.config.probe;
    return Math.max(0, Math.round(interval * (1 + jitter * (2 * this.random() - 1))));
  }

  private schedule(entry: HostEntry, delay: number): void {
    this.cancelTimer(entry);
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      void this.run(entry);
    }, delay);
  }

  private cancelTimer(entry: HostEntry): void {
    if (entry.timer === undefined) return;
    this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  private safeEmit<K extends keyof RunnerEvents>(event: K, ...args: RunnerEvents[K]): void {
    try {
      (this.emit as (name: K, ...rest: RunnerEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      // a listener's bug must not stop the probe loop
      this.logger.error({ err: error, event }, 'probe runner listener failed');
    }
  }
}
