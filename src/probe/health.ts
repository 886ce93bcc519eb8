// PURE health state machine: probe results in, host state out. No clock, no I/O — `now` is passed in.
//
// Semantics (documented in docs/probe.md):
// - rise/fall as HAProxy documents them: a healthy host is withdrawn after `fall` consecutive failed
//   probes; an unhealthy host comes back after `rise` consecutive successful probes. A success while
//   healthy clears the failure streak, a failure while unhealthy clears the success streak.
// - Start-up without saved state: a host is `unhealthy` until its first probe, and ONE successful
//   first probe makes it healthy (HAProxy starts servers "up-going" rather than making a fresh
//   daemon wait rise x interval before it publishes anything). A failed first probe leaves it
//   unhealthy and it then needs `rise` successes like any other unhealthy host.
// - Operator states override probes: `disabled` (from config `host.disabled`, or disable/enable at
//   run time) beats `draining` (drain/undrain at run time) beats the probed state. Probes keep running and keep moving the
//   probed state underneath, so undrain returns the host to what the probes say right now.
// - Checks beside the probe (a relay security finding with onFinding: withdraw, a DNSBL listing
//   with action: withdraw) withhold a host: it is unhealthy at once, and while withheld every
//   probe counts as failed, so after the last hold is lifted it needs `rise` passing probes like
//   any host coming back. Unhealthy outbound hosts stay in SPF (src/auth/senders.ts).
import type { HealthState, HostHealth } from '../model.ts';

export type ProbedState = 'healthy' | 'unhealthy';

/** Everything the machine needs about one host; a superset of the shared `HostHealth`. */
export interface HostHealthState extends HostHealth {
  /** what the probes alone say */
  probed: ProbedState;
  /** consecutive successes / failures counting toward the next probed transition */
  successes: number;
  failures: number;
  /** false until the first probe result after a start without saved state */
  checked: boolean;
  /** operator drain (run time) */
  drained: boolean;
  /** config `host.disabled` */
  disabled: boolean;
  /** disabled at run time by an operator (disable/enable), whatever the config says */
  operatorDisabled: boolean;
  /** checks holding the host out of DNS: key (e.g. "security", "dnsbl") -> why; absent when none */
  withheld?: Readonly<Record<string, string>>;
}

export interface RiseFall {
  rise: number;
  fall: number;
}

/** The minimum the machine reads from a probe result. */
export interface ProbeOutcome {
  ok: boolean;
  /** connection refused or reset: the runner re-probes at once (fast fall) */
  refused?: boolean;
}

/** A change of the visible state of one host, as the runner emits it (`'transition'`). */
export interface HealthEvent<R = unknown> {
  host: string;
  pool: string;
  from: HealthState;
  to: HealthState;
  /** the probe result that caused it; absent for operator actions (drain, undrain, disable) */
  result?: R;
  at: number;
}

/** Spacing of the re-probe after a refused/reset connection while the host still counts as up. */
export const FAST_FALL_SPACING_MS = 200;

function visible(state: Pick<HostHealthState, 'probed' | 'drained' | 'disabled' | 'operatorDisabled'>): HealthState {
  if (state.disabled || state.operatorDisabled) return 'disabled';
  if (state.drained) return 'draining';
  return state.probed;
}

/** Recomputes `state`, `since` and `withdrawnAt` after a change of the underlying fields. */
function settle(previous: HostHealthState, next: HostHealthState, now: number): HostHealthState {
  const state = visible(next);
  const withdrawnByOperator = state === 'draining' || state === 'disabled';
  const wasWithdrawn = previous.state === 'draining' || previous.state === 'disabled';
  return {
    ...next,
    state,
    since: state === previous.state ? previous.since : now,
    withdrawnAt: withdrawnByOperator ? (wasWithdrawn && previous.withdrawnAt !== undefined ? previous.withdrawnAt : now) : undefined,
  };
}

/**
 * The state of a host when the runner starts: from a saved `HostHealth` when there is one (so a
 * restart does not flap DNS), else `unhealthy` and unchecked. `disabled` always comes from config;
 * a saved `draining` survives the restart (the operator has not undrained it).
 */
export function initialHealth(
  host: { name: string; disabled?: boolean },
  pool: string,
  now: number,
  saved?: HostHealth,
): HostHealthState {
  const disabled = host.disabled === true;
  const usable = saved !== undefined && saved.host === host.name;
  const probed: ProbedState = usable && saved.state === 'healthy' ? 'healthy' : 'unhealthy';
  const drained = usable && saved.state === 'draining';
  const operatorDisabled = usable && saved.state === 'disabled' && saved.disabledBy === 'operator';
  // A saved healthy/unhealthy host is already "checked": it follows rise/fall from the first probe.
  const checked = usable && (saved.state === 'healthy' || saved.state === 'unhealthy');
  const base = { host: host.name, pool, probed, successes: 0, failures: 0, checked, drained, disabled, operatorDisabled };
  const state = visible(base);
  const keepSince = usable && saved.state === state;
  const withdrawnAt = state === 'draining' || state === 'disabled' ? (usable && saved.withdrawnAt !== undefined ? saved.withdrawnAt : now) : undefined;
  return { ...base, state, since: keepSince ? saved.since : now, withdrawnAt };
}

/** Applies one probe result. Pure: returns a new state, never mutates `current`. */
export function nextHealth(current: HostHealthState, outcome: ProbeOutcome, rules: RiseFall, now: number): HostHealthState {
  // a withheld host cannot count passing probes toward its return
  const result = current.withheld && outcome.ok ? { ok: false } : outcome;
  let { probed, successes, failures } = current;
  if (!current.checked) {
    // first probe after a cold start: one success is enough (see the header comment)
    probed = result.ok ? 'healthy' : 'unhealthy';
    successes = 0;
    failures = 0;
  } else if (result.ok) {
    failures = 0;
    if (probed === 'unhealthy') {
      successes += 1;
      if (successes >= rules.rise) {
        probed = 'healthy';
        successes = 0;
      }
    } else {
      successes = 0;
    }
  } else {
    successes = 0;
    if (probed === 'healthy') {
      failures += 1;
      if (failures >= rules.fall) {
        probed = 'unhealthy';
        failures = 0;
      }
    } else {
      failures = 0;
    }
  }
  return settle(current, { ...current, probed, successes, failures, checked: true }, now);
}

/**
 * A check beside the probe holds the host out of DNS (`reason`), or lifts its hold (`undefined`).
 * Holding makes it unhealthy at once; lifting changes nothing at once: the next `rise` passing
 * probes bring it back. Idempotent per key.
 */
export function withhold(current: HostHealthState, key: string, reason: string | undefined, now: number): HostHealthState {
  const holds: Record<string, string> = { ...current.withheld };
  if (reason === undefined) {
    if (!(key in holds)) return current;
    delete holds[key];
  } else {
    if (holds[key] === reason) return current;
    holds[key] = reason;
  }
  const { withheld: _previous, ...rest } = current;
  const next: HostHealthState = Object.keys(holds).length > 0 ? { ...rest, withheld: holds } : rest;
  if (reason === undefined) return next;
  return settle(current, { ...next, probed: 'unhealthy', successes: 0, failures: 0, checked: true }, now);
}

/** Operator drain: out of DNS at once, whatever the probes say. Idempotent. */
export function drain(current: HostHealthState, now: number): HostHealthState {
  if (current.drained) return current;
  return settle(current, { ...current, drained: true }, now);
}

/** Operator undrain: back to what the probes say now. Idempotent. */
export function undrain(current: HostHealthState, now: number): HostHealthState {
  if (!current.drained) return current;
  return settle(current, { ...current, drained: false }, now);
}

/** Operator disable (run time): out of DNS at once, out of SPF after its grace; beats drain. Idempotent. */
export function disableByOperator(current: HostHealthState, now: number): HostHealthState {
  if (current.operatorDisabled) return current;
  return settle(current, { ...current, operatorDisabled: true }, now);
}

/** Operator enable: lifts a run-time disable (a host `disabled: true` in the config stays disabled). Idempotent. */
export function enableByOperator(current: HostHealthState, now: number): HostHealthState {
  if (!current.operatorDisabled) return current;
  return settle(current, { ...current, operatorDisabled: false }, now);
}

/** Config `host.disabled` changed (or was applied at start). */
export function setDisabled(current: HostHealthState, disabled: boolean, now: number): HostHealthState {
  if (current.disabled === disabled) return current;
  return settle(current, { ...current, disabled }, now);
}

/**
 * When the next probe of a host should start, in ms from the START of the probe just finished, for
 * a host in transition (HAProxy's `fastinter`), or `undefined` for the regular interval:
 * - falling, refused/reset connection: FAST_FALL_SPACING_MS — a dead host leaves in well under a second;
 * - falling, any other failure: one probe timeout — a silent host (a firewall dropping packets)
 *   has already waited out its timeout, so the confirmation starts at once and the host leaves
 *   after interval + fall x timeout, not fall x (interval + timeout); an instant failure (a 421
 *   "too busy" greeting) is confirmed a timeout later, not in the same millisecond;
 * - rising (down, with successes counted): half an interval, so a recovered host returns within
 *   rise x interval even when the probe that saw the recovery started late in its interval.
 * rise/fall still decide every transition: a flapping host gets more probes, never a faster flap.
 */
export function transitionSpacing(after: HostHealthState, result: ProbeOutcome, timing: { interval: number; timeout: number }): number | undefined {
  if (after.disabled || after.operatorDisabled || !after.checked) return undefined;
  if (!result.ok && after.probed === 'healthy' && after.failures > 0) return result.refused === true ? FAST_FALL_SPACING_MS : timing.timeout;
  if (result.ok && after.probed === 'unhealthy' && after.successes > 0) return Math.round(timing.interval / 2);
  return undefined;
}

/** The shared, plain `HostHealth` view (what the snapshot and the state file carry). */
export function toHostHealth(state: HostHealthState): HostHealth {
  const plain: HostHealth = { host: state.host, pool: state.pool, state: state.state, since: state.since };
  if (state.withdrawnAt !== undefined) plain.withdrawnAt = state.withdrawnAt;
  if (state.operatorDisabled) plain.disabledBy = 'operator';
  return plain;
}
