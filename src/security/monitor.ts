// Runs the relay security checks of every pool with `security`, now and then every
// `security.interval`, a few hosts at a time, and keeps each host's last report and its standing
// findings. The one timer of the security checks. A check that could not run (the host is down,
// timed out) keeps the findings of the last one that did: only a clean check clears them.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { ConcurrencyLimit } from '../probe/limit.ts';
import { probeOptionsFrom, targetOf } from '../probe/options.ts';
import type { ProbeOptions, ProbeTarget } from '../probe/types.ts';
import { checkSecurity, poolChecks, type PoolChecks, type SecurityReport } from './check.ts';
import type { SecurityFinding } from './findings.ts';

export interface SecurityMonitorOptions {
  config: Config;
  logger: Logger;
  /** where credentials are read from (process.env) */
  env: Record<string, string | undefined>;
  /** the CA PEM when the caller already read probe.caFile */
  ca?: string | Buffer;
  now?: () => number;
  random?: (size: number) => Buffer;
  /** a host's standing findings changed */
  onChange?: (host: string) => void;
  /** every finished check, for the metrics */
  onReport?: (report: SecurityReport) => void;
  /** first retry after a check that could not finish (default RETRY_MS; tests shorten it) */
  retryMs?: number;
}

export interface HostSecurity {
  /** the findings that stand: from the last check that ran to its end or found something */
  findings: SecurityFinding[];
  /** the last check, whatever its outcome; null before the first */
  last: SecurityReport | null;
  onFinding: 'report' | 'withdraw';
}

/** At most this many security sessions at once: each is several round trips, some with failed logins. */
const CONCURRENCY = 4;

/** First retry after a check that could not finish (host down, timeout). */
export const RETRY_MS = 60_000;

/**
 * When to check a host next: after `interval`; after a check that could not finish, sooner — one
 * minute, doubling with each failure in a row, never later than `interval` — so that a check that
 * timed out on a busy start-up does not leave a host unjudged for a whole interval, while a host
 * that stays down is not hammered (each check may cost the relay a failed login).
 */
export function nextCheckIn(intervalMs: number, failuresInARow: number, retryMs = RETRY_MS): number {
  if (failuresInARow <= 0) return intervalMs;
  return Math.min(intervalMs, retryMs * 2 ** Math.min(failuresInARow - 1, 20));
}

interface Entry {
  target: ProbeTarget;
  checks: PoolChecks;
  state: HostSecurity;
}

export class SecurityMonitor {
  readonly #options: SecurityMonitorOptions;
  readonly #probe: ProbeOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #limit = new ConcurrencyLimit(CONCURRENCY);
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Map<string, Promise<SecurityReport>>();
  #stopped = false;

  constructor(options: SecurityMonitorOptions) {
    this.#options = options;
    this.#probe = probeOptionsFrom(options.config, options.ca);
    const byPool = new Map(poolChecks(options.config, options.env).map((checks) => [checks.pool, checks]));
    for (const pool of options.config.pools) {
      const checks = byPool.get(pool.name);
      if (!checks) continue;
      for (const host of pool.hosts) this.#entries.set(host.name, { target: targetOf(host), checks, state: { findings: [], last: null, onFinding: checks.settings.onFinding } });
    }
  }

  get hosts(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Checks every host now (spread over a second), then each every its pool's interval (sooner
   * after a check that could not finish: nextCheckIn). Resolves when every host's first check is
   * done (serve's cold start waits for it, bounded).
   */
  start(): Promise<void> {
    const firsts: Promise<void>[] = [];
    for (const [host, entry] of this.#entries) {
      let first: () => void = () => undefined;
      firsts.push(new Promise<void>((resolve) => (first = resolve)));
      let failures = 0;
      const loop = async () => {
        const started = (this.#options.now ?? Date.now)();
        const report = await this.check(host).catch(() => undefined);
        first();
        if (this.#stopped) return;
        const inconclusive = report === undefined || (report.error !== null && report.findings.length === 0);
        failures = inconclusive ? failures + 1 : 0;
        const wait = nextCheckIn(entry.checks.settings.interval, failures, this.#options.retryMs);
        this.#after(Math.max(0, wait - ((this.#options.now ?? Date.now)() - started)), loop);
      };
      this.#after(Math.floor(Math.random() * Math.min(1000, entry.checks.settings.interval)), loop);
    }
    return Promise.all(firsts).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled(this.#running.values());
  }

  /** Every host once (the `probe` command); resolves when all reports are in. */
  async checkAll(): Promise<Map<string, SecurityReport>> {
    const hosts = this.hosts;
    const reports = await Promise.all(hosts.map((host) => this.check(host)));
    return new Map(hosts.map((host, i) => [host, reports[i] as SecurityReport]));
  }

  /** Checks one host now, or joins the check already running for it. */
  check(host: string): Promise<SecurityReport> {
    const entry = this.#entries.get(host);
    if (!entry) return Promise.reject(new Error(`no security checks for ${host}`));
    let running = this.#running.get(host);
    if (!running) {
      running = this.#limit.run(() => checkSecurity(entry.target, entry.checks, this.#checkOptions())).then((report) => {
        this.#running.delete(host);
        this.#record(entry, report);
        return report;
      });
      this.#running.set(host, running);
    }
    return running;
  }

  /**
   * After a config reload: takes over what `previous` knew of the hosts that stay, checked the
   * same way (same address, port and settings), so a standing finding keeps its hold until the
   * next check instead of vanishing with the old config.
   */
  adopt(previous: SecurityMonitor): void {
    for (const [host, entry] of this.#entries) {
      const before = previous.#entries.get(host);
      if (!before) continue;
      // what the checks send and where; onFinding and interval do not change what a check finds
      const checked = (e: Entry) => {
        const { onFinding: _onFinding, interval: _interval, ...sent } = e.checks.settings;
        return JSON.stringify([e.target, sent, e.checks.localSender, e.checks.credentials?.username ?? null]);
      };
      const same = checked(before) === checked(entry);
      if (same) entry.state = { ...before.state, onFinding: entry.state.onFinding };
    }
  }

  state(host: string): HostSecurity | undefined {
    return this.#entries.get(host)?.state;
  }

  /** Why a host with onFinding: withdraw is held out of DNS, or undefined. */
  withholding(host: string): string | undefined {
    const state = this.#entries.get(host)?.state;
    if (!state || state.onFinding !== 'withdraw' || state.findings.length === 0) return undefined;
    return `security: ${state.findings.map((f) => f.id).join(', ')}`;
  }

  #checkOptions() {
    return { probe: this.#probe, ...(this.#options.now ? { now: this.#options.now } : {}), ...(this.#options.random ? { random: this.#options.random } : {}) };
  }

  #record(entry: Entry, report: SecurityReport): void {
    const state = entry.state;
    state.last = report;
    const { logger } = this.#options;
    logger.debug({ host: report.host, transcript: report.transcript, error: report.error ?? undefined }, 'relay security check');
    const conclusive = report.error === null || report.findings.length > 0;
    if (!conclusive) {
      logger.warn({ host: report.host, error: report.error, standing: state.findings.map((f) => f.id) }, 'relay security check could not run: keeping the last findings');
    }
    const before = state.findings.map((f) => f.id).join(',');
    if (conclusive) state.findings = report.findings;
    const after = state.findings.map((f) => f.id).join(',');
    this.#options.onReport?.(report);
    if (before === after) return;
    if (state.findings.length > 0) logger.warn({ host: report.host, findings: state.findings, onFinding: state.onFinding }, 'relay security findings');
    else logger.info({ host: report.host }, 'relay security check clean');
    this.#options.onChange?.(report.host);
  }

  #after(ms: number, run: () => Promise<void>): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void run();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}
