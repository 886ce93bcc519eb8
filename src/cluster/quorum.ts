// PURE: the votes of the live nodes -> the agreed health of every host. No clock, no I/O.
//
// - A host is withdrawn only when `quorum` live nodes see it down (majority of the live nodes by
//   default, or a fixed number), and comes back only when a majority of the live nodes see it up.
//   Between the two (votes missing, a split view) it keeps its previous agreed state: a node cut off
//   from a host, or from everything, withdraws nothing on its own view alone.
// - Only live nodes count: a node whose lease expired has no member key, and its votes are ignored
//   (they vanish with its lease anyway).
// - A host never agreed on before (a new cluster, a new host) starts unhealthy, as a single mxpool
//   starts an unprobed host: it enters DNS when a majority sees it up.
// - Operator states override the votes as on a single node: disabled (config, or a `disabled/`
//   key in etcd) beats draining (an `operator/` key) beats the probed state, which keeps moving
//   underneath.
import type { HealthSnapshot, HostHealth } from '../model.ts';
import type { AgreedHost, OperatorAction, OperatorDisable, QuorumSetting, Vote } from './types.ts';

export interface Thresholds {
  /** down votes that withdraw a host */
  down: number;
  /** up votes that bring it back */
  up: number;
}

/** How many votes each way decide, with `live` nodes in the cluster. */
export function thresholds(live: number, quorum: QuorumSetting): Thresholds {
  const majority = Math.floor(live / 2) + 1;
  return { down: quorum === 'majority' ? majority : quorum, up: majority };
}

/** One host's probed state from the live nodes' votes (absent = that node has not voted yet). */
export function agreedProbed(previous: 'healthy' | 'unhealthy' | undefined, votes: readonly (Vote['vote'] | undefined)[], live: number, quorum: QuorumSetting): 'healthy' | 'unhealthy' {
  const need = thresholds(live, quorum);
  let up = 0;
  let down = 0;
  for (const vote of votes) {
    if (vote === 'up') up++;
    else if (vote === 'down') down++;
  }
  // withdrawal first: with a fixed quorum below a majority (quorum: 1) a host seen down by that many
  // nodes stays out even when a majority sees it up — otherwise it would flap at every evaluation
  if (live > 0 && down >= need.down) return 'unhealthy';
  if (live > 0 && up >= need.up) return 'healthy';
  return previous ?? 'unhealthy';
}

export interface AgreeInput {
  /** every configured host: name, pool, `disabled` from the config */
  hosts: readonly { name: string; pool: string; disabled: boolean }[];
  /** the live members' names */
  live: ReadonlySet<string>;
  /** node -> host -> vote (votes of non-members are ignored here) */
  votes: ReadonlyMap<string, ReadonlyMap<string, Vote>>;
  operator: ReadonlyMap<string, OperatorAction>;
  /** run-time disables (absent: none) */
  disabled?: ReadonlyMap<string, OperatorDisable>;
  /** the last agreed states (undefined for a new cluster) */
  previous: Readonly<Record<string, AgreedHost>> | undefined;
  quorum: QuorumSetting;
  now: number;
}

/** The agreed state of every host. Hosts whose state did not change keep their `since`. */
export function agreeHealth(input: AgreeInput): Record<string, AgreedHost> {
  const result: Record<string, AgreedHost> = {};
  const live = [...input.live];
  for (const host of input.hosts) {
    const before = input.previous?.[host.name];
    const votes = live.map((node) => input.votes.get(node)?.get(host.name)?.vote);
    const probed = agreedProbed(before?.probed, votes, live.length, input.quorum);
    const drained = input.operator.get(host.name);
    const switchedOff = input.disabled?.get(host.name);
    const state = host.disabled || switchedOff ? 'disabled' : drained ? 'draining' : probed;
    const agreed: AgreedHost = { state, probed, since: before && before.state === state ? before.since : input.now };
    if (state === 'draining') agreed.withdrawnAt = drained?.at ?? input.now;
    if (state === 'disabled') agreed.withdrawnAt = before?.state === 'disabled' && before.withdrawnAt !== undefined ? before.withdrawnAt : (switchedOff?.at ?? input.now);
    result[host.name] = agreed;
  }
  return result;
}

/** The agreed states as the snapshot `desired()` and the API read. */
export function agreedSnapshot(hosts: readonly { name: string; pool: string }[], agreed: Readonly<Record<string, AgreedHost>>, startedAt: number): HealthSnapshot {
  const snapshot = new Map<string, HostHealth>();
  for (const host of hosts) {
    const entry = agreed[host.name];
    const health: HostHealth = { host: host.name, pool: host.pool, state: entry?.state ?? 'unhealthy', since: entry?.since ?? startedAt };
    if (entry?.withdrawnAt !== undefined) health.withdrawnAt = entry.withdrawnAt;
    snapshot.set(host.name, health);
  }
  return snapshot;
}

/** Same states (ignoring nothing: a `since` change is a change worth recording). */
export function sameAgreed(a: Readonly<Record<string, AgreedHost>> | undefined, b: Readonly<Record<string, AgreedHost>>): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key] as AgreedHost;
    if (!x || x.state !== y.state || x.probed !== y.probed || x.since !== y.since || x.withdrawnAt !== y.withdrawnAt) return false;
  }
  return true;
}
