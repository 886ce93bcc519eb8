// Schedules probes for every configured host and runs them through the health machine.
// - interval with jitter (`probe.interval`, `probe.jitter`), or node-cron when `probe.schedule` is set;
// - at most `probe.concurrency` probes at once; never two probes of one host at once (a request for
//   a host already being probed is coalesced into one follow-up probe);
// - spacing is start-to-start: a probe that waited out its timeout does not push the next one later;
// - hosts in transition are probed sooner (HAProxy's fastinter; see `transitionSpacing` in
//   health.ts): a refused probe of a host still counted up is repeated after 200 ms, any other
//   failure confirmed one timeout after the failed probe started, a recovering host re-probed
//   after half an interval;
// - `probe.hold`: one idle SMTP session per healthy host; its loss triggers a probe at once;
// - probes that look at a host that may have just died are urgent: a held session lost (not a slow
//   server failing to open one), the re-probe after a refused connection, a cluster peer's
//   `confirm`. They go ahead of the scheduled probes waiting for a concurrency slot and may use a
//   few slots above `probe.concurrency` (URGENT_RESERVE, limit.ts): a dead host is out in well under
//   a second even while every slot waits out a timeout on an overloaded server;
// - `reconfigure`: a config reload adds and removes hosts and changes probe settings while the
//   hosts that stay keep their health.
// The clock and random source are parameters so scheduling is testable with a fake clock.
import { EventEmitter } from 'node:events';
import type { Config, HostConfig } from '../config/schema.ts';
import { hostChanges } from '../config/diff.ts';
import type { Logger } from '../log.ts';
import type { HealthSnapshot, HostHealth } from '../model.ts';
import { MxpoolError } from '../errors.ts';
import { disableByOperator, drain, enableByOperator, initialHealth, nextHealth, setDisabled, toHostHealth, transitionSpacing, undrain, withhold, type HealthEvent, type HostHealthState } from './health.ts';
import { HoldManager, type HoldOptions } from './hold.ts';
import { ConcurrencyLimit, type LimitTicket } from './limit.ts';
import { probeOptionsFrom, targetOf } from './options.ts';
import { probeSmtp } from './smtp.ts';
import type { ProbeFunction, ProbeOptions, ProbeResult, ProbeTarget } from './types.ts';
import { ProbeTimers, type RunnerClock } from './timers.ts';

export type { RunnerClock };

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

/** How many results `history(host)` keeps (a latency chart's worth). */
export const HISTORY_LENGTH = 60;

/** Slots above `probe.concurrency` that only urgent probes may use: an eighth more, at least 2. */
export function urgentReserve(concurrency: number): number {
  return Math.max(2, Math.ceil(concurrency / 8));
}

/** `confirm` does not probe a host whose last probe started less than this ago (bounds a peer's flapping votes). */
export const CONFIRM_GAP_MS = 250;

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
  /** clock time the pending timer fires (a reload that shortens the interval pulls it in) */
  dueAt: number | undefined;
  /** the pending timer is a transition re-probe (urgent), not the regular interval */
  urgent: boolean;
  /** the follow-up probe asked for while one ran is urgent */
  againUrgent: boolean;
  /** the probe in flight's place in the concurrency limit, until it starts */
  waiting: LimitTicket | undefined;
}

/** What a reload prepared before it commits (both can fail or take time; the commit cannot). */
export interface RunnerReconfiguration {
  /** the new config's probe options, its CA file already read */
  probeOptions: ProbeOptions;
  /** the first probe result of added hosts, run by `probeFirst` before the commit */
  first?: ReadonlyMap<string, ProbeResult>;
}

const realClock: RunnerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class ProbeRunner extends EventEmitter<RunnerEvents> {
  private config: Config;
  private readonly logger: Logger;
  private readonly clock: RunnerClock;
  private readonly random: () => number;
  private readonly probe: ProbeFunction;
  private probeOptions: ProbeOptions;
  private readonly entries = new Map<string, HostEntry>();
  private readonly limit: ConcurrencyLimit;
  private readonly holdTuning: ProbeRunnerOptions['hold'];
  private hold: HoldManager | undefined;
  /** work that stop() waits for besides the hosts' own probes: first probes of a reload, held sessions closing */
  private readonly outside = new Set<Promise<unknown>>();
  private readonly timers: ProbeTimers<HostEntry>;
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
    this.limit = new ConcurrencyLimit(options.config.probe.concurrency, urgentReserve(options.config.probe.concurrency));
    this.holdTuning = options.hold;
    this.timers = new ProbeTimers<HostEntry>({
      clock: this.clock,
      random: this.random,
      settings: () => this.config.probe,
      due: (entry) => void this.run(entry, entry.urgent),
      tick: () => this.probeEveryHost(),
    });
    const now = this.clock.now();
    for (const pool of options.config.pools) {
      for (const host of pool.hosts) this.entries.set(host.name, newEntry(host, pool.name, now));
    }
    if (options.config.probe.hold) this.hold = this.newHold();
  }

  /** Starts the schedule. The first round starts at once, spread over at most a second (or the jitter window when smaller). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.timers.startCron();
    for (const entry of this.entries.values()) this.timers.schedule(entry, this.timers.firstDelay());
  }

  /** Stops timers and cron, waits for probes in flight, closes held sessions. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.timers.stopCron();
    for (const entry of this.entries.values()) this.timers.cancel(entry);
    const running = [...this.entries.values()].flatMap((entry) => (entry.running ? [entry.running] : []));
    await Promise.allSettled([...running, ...this.outside]);
    await this.hold?.closeAll();
  }

  /**
   * Probes endpoints the runner does not run yet once — the hosts a reload adds, probed before the
   * reload publishes anything, as serve does at a start-up without state. Within the concurrency
   * limit; never throws (a probe error is a failed result).
   */
  async probeFirst(targets: readonly ProbeTarget[], options: ProbeOptions, results = new Map<string, ProbeResult>()): Promise<Map<string, ProbeResult>> {
    const withClock = { ...options, now: () => this.clock.now() };
    // `results` fills as probes end: a caller that stops waiting keeps the ones already in
    const all = Promise.all(targets.map(async (target) => results.set(target.name, await this.limit.run(() => this.safeProbe(target, withClock)))));
    this.track(all);
    await all;
    return results;
  }

  /**
   * Runs on a new config from now on (a reload). Hosts that stay (same name, address and port) keep
   * their health, rise/fall counters, history, schedule and held session; a move to another pool or
   * a change of `disabled` applies to that health. Hosts that left are forgotten: timer cancelled,
   * held session closed, a probe of theirs still in flight discarded when it ends. Added hosts (and
   * the new endpoint of a readdressed one) start as at a start-up without state, with the first
   * probe result `probeFirst` got for them applied (none: probed at once).
   */
  reconfigure(config: Config, prepared: RunnerReconfiguration): void {
    if (this.stopping) return;
    const previous = this.config;
    const now = this.clock.now();
    this.config = config;
    this.probeOptions = { ...prepared.probeOptions, now: () => this.clock.now() };
    this.limit.resize(config.probe.concurrency);
    this.reconfigureHold();
    for (const gone of hostChanges(previous, config).removed) this.forget(gone.name);
    for (const pool of config.pools) {
      for (const host of pool.hosts) {
        const entry = this.entries.get(host.name);
        if (entry) this.update(entry, host, pool.name, now);
        else this.add(host, pool.name, now, prepared.first?.get(host.name));
      }
    }
    const { interval, jitter, schedule } = previous.probe;
    if (this.started && (interval !== config.probe.interval || jitter !== config.probe.jitter || schedule !== config.probe.schedule)) this.track(this.timers.retime(this.entries.values(), previous.probe));
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

  /**
   * Another vantage point (a cluster peer) just saw `host` fail: probe it now, ahead of the queue,
   * unless this runner knows already — a probe in flight, a failure being confirmed, the host down
   * here too, a probe started less than CONFIRM_GAP_MS ago. rise/fall decide as always: a peer's
   * view makes this node look sooner, never decides for it. Returns true when a probe starts now
   * (or its probe waiting for a slot goes first).
   */
  confirm(host: string): boolean {
    const entry = this.entries.get(host);
    if (!entry || !this.started || this.stopping) return false;
    const { health } = entry;
    if (health.disabled || health.operatorDisabled || !health.checked || health.probed !== 'healthy' || health.failures > 0) return false;
    if (entry.running) {
      // a probe waiting for a slot goes first now; one already started answers soon enough
      if (!entry.waiting) return false;
      this.limit.promote(entry.waiting);
      return true;
    }
    if (this.clock.now() - entry.startedAt < CONFIRM_GAP_MS) return false;
    this.logger.debug({ host, queued: this.limit.queued }, 'a peer saw the host fail: probing it now');
    void this.run(entry, true);
    return true;
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

  /** Operator disable at run time (health.ts `disableByOperator`): no held session while disabled. */
  disable(host: string): HostHealth {
    const entry = this.entry(host);
    this.apply(entry, disableByOperator(entry.health, this.clock.now()), undefined, 'disabled by an operator');
    this.updateHold(entry);
    return toHostHealth(entry.health);
  }

  enable(host: string): HostHealth {
    const entry = this.entry(host);
    this.apply(entry, enableByOperator(entry.health, this.clock.now()), undefined, 'enabled by an operator');
    this.updateHold(entry);
    return toHostHealth(entry.health);
  }

  /**
   * A check beside the probe (relay security, DNSBL) holds `host` out of DNS for `reason`, or lifts
   * its hold (`undefined`). See `withhold` in health.ts: out at once, back after `rise` probes.
   */
  withhold(host: string, key: string, reason: string | undefined): HostHealth {
    const entry = this.entry(host);
    this.apply(entry, withhold(entry.health, key, reason, this.clock.now()), undefined, reason ?? `${key} hold lifted`);
    this.updateHold(entry);
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

  private run(entry: HostEntry, urgent = false): Promise<ProbeResult> {
    if (entry.running) {
      if (entry.waiting) {
        // not started yet: it will see the host as it is now; make it urgent if this one is
        if (urgent) this.limit.promote(entry.waiting);
        return entry.running;
      }
      entry.again = true;
      entry.againUrgent ||= urgent;
      return entry.running;
    }
    this.timers.cancel(entry);
    entry.urgent = false;
    const ticket: LimitTicket = { urgent };
    entry.waiting = ticket;
    const running = this.limit
      .run(() => {
        entry.waiting = undefined;
        return this.probeEntry(entry);
      }, ticket)
      .then((result) => {
        entry.running = undefined;
        this.record(entry, result);
        return result;
      });
    entry.running = running;
    return running;
  }

  private probeEntry(entry: HostEntry): Promise<ProbeResult> {
    entry.startedAt = this.clock.now();
    return this.safeProbe(entry.target, this.probeOptions);
  }

  private async safeProbe(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
    const at = this.clock.now();
    try {
      return await this.probe(target, options);
    } catch (error) {
      // probeSmtp never throws; an injected or future probe might — that is a failed probe, not a crash
      const reason = `probe error: ${error instanceof Error ? error.message : String(error)}`;
      return { ok: false, stage: 'connect', reason, code: null, ms: this.clock.now() - at, banner: null, extensions: [], tls: undefined, at };
    }
  }

  private record(entry: HostEntry, result: ProbeResult): void {
    // the host left the config (or moved to another address) while this probe ran: not its health any more
    if (this.entries.get(entry.config.name) !== entry) return;
    entry.history.push(result);
    if (entry.history.length > HISTORY_LENGTH) entry.history.splice(0, entry.history.length - HISTORY_LENGTH);
    const { rise, fall } = this.config.probe;
    const next = nextHealth(entry.health, result, { rise, fall }, this.clock.now());
    this.safeEmit('probe', entry.config.name, result);
    this.apply(entry, next, result);
    this.updateHold(entry);
    if (this.stopping || !this.started) return;
    if (entry.again) {
      const urgent = entry.againUrgent;
      entry.again = false;
      entry.againUrgent = false;
      void this.run(entry, urgent);
      return;
    }
    const spacing = transitionSpacing(entry.health, result, this.config.probe);
    if (spacing === undefined && this.timers.cron) return; // the cron task probes
    // start-to-start: the time this probe took (up to its timeout) counts toward the spacing
    const elapsed = this.clock.now() - entry.startedAt;
    // the re-probe after a refused connection is urgent (a dead host); a timeout's confirmation is
    // not (on an overloaded server those are many, and they would crowd out the dead hosts)
    entry.urgent = spacing !== undefined && !result.ok && result.refused === true;
    this.timers.schedule(entry, Math.max(0, (spacing ?? this.timers.nextDelay()) - elapsed));
  }

  private apply(entry: HostEntry, next: HostHealthState, result: ProbeResult | undefined, why?: string): void {
    const before = entry.health;
    entry.health = next;
    if (before.state === next.state) return;
    const event: TransitionEvent = { host: next.host, pool: next.pool, from: before.state, to: next.state, at: this.clock.now() };
    if (result) event.result = result;
    const withheld = next.withheld && result?.ok ? Object.values(next.withheld).join('; ') : undefined;
    this.logger.info({ host: event.host, pool: event.pool, from: event.from, to: event.to, reason: withheld ?? (result?.reason || why) }, 'host health changed');
    this.safeEmit('transition', event);
  }

  private updateHold(entry: HostEntry): void {
    if (!this.hold) return;
    const wanted = this.started && !this.stopping && entry.health.probed === 'healthy' && !entry.health.disabled && !entry.health.operatorDisabled;
    if (wanted) this.hold.hold(entry.target);
    else this.hold.release(entry.config.name);
  }

  private onHoldLost(host: string, reason: string, urgent: boolean): void {
    if (this.stopping) return;
    this.logger.warn({ host, reason, queued: this.limit.queued }, 'held SMTP session lost: probing at once');
    const entry = this.entries.get(host);
    if (entry) void this.run(entry, urgent);
  }

  private newHold(): HoldManager {
    return new HoldManager({
      ...this.holdTuning,
      helo: this.probeOptions.helo,
      timeoutMs: this.probeOptions.timeoutMs,
      ...(this.probeOptions.localAddress !== undefined ? { localAddress: this.probeOptions.localAddress } : {}),
      logger: this.logger,
      onLost: (host, reason, urgent) => this.onHoldLost(host, reason, urgent),
    });
  }

  /** `probe.hold` switched on or off, or its EHLO name / timeout changed. */
  private reconfigureHold(): void {
    if (this.config.probe.hold && !this.hold) {
      this.hold = this.newHold();
    } else if (!this.config.probe.hold && this.hold) {
      this.track(this.hold.closeAll());
      this.hold = undefined;
    } else {
      this.hold?.retune({ helo: this.probeOptions.helo, timeoutMs: this.probeOptions.timeoutMs });
    }
  }

  /** A host that stays: same endpoint; its pool, weight or `disabled` may have changed. */
  private update(entry: HostEntry, host: HostConfig, pool: string, now: number): void {
    entry.config = host;
    entry.target = targetOf(host);
    if (entry.pool !== pool) {
      entry.pool = pool;
      entry.health = { ...entry.health, pool };
    }
    this.apply(entry, setDisabled(entry.health, host.disabled, now), undefined);
    this.updateHold(entry);
  }

  private add(host: HostConfig, pool: string, now: number, first: ProbeResult | undefined): void {
    const entry = newEntry(host, pool, now);
    this.entries.set(host.name, entry);
    if (first) {
      entry.startedAt = first.at;
      this.record(entry, first); // health, events, held session and the next probe, as after any probe
    } else if (this.started) {
      this.timers.schedule(entry, 0);
    }
  }

  private forget(host: string): void {
    const entry = this.entries.get(host);
    if (!entry) return;
    this.timers.cancel(entry);
    this.entries.delete(host);
    this.hold?.forget(host);
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(() => undefined, () => undefined);
    this.outside.add(settled);
    void settled.then(() => this.outside.delete(settled));
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

function newEntry(host: HostConfig, pool: string, now: number): HostEntry {
  return { config: host, target: targetOf(host), pool, health: initialHealth(host, pool, now), timer: undefined, running: undefined, startedAt: now, again: false, history: [], dueAt: undefined, urgent: false, againUrgent: false, waiting: undefined };
}
