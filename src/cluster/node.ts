// A cluster member as the daemon sees it (src/daemon.ts asks this for "the agreed zone" instead of
// building its own): it votes its probes' verdicts into etcd, watches everybody's, serves the zone
// the leader agreed on, takes operator actions into etcd, and leads when etcd's election says so.
import type { Registry } from 'prom-client';
import type { ClusterConfig, Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { TransportState } from '../auth/transport.ts';
import { mtaStsPolicy } from '../auth/mta-sts.ts';
import { withMemberPolicies } from './sts-members.ts';
import { stsIdOf } from '../daemon/sts-places.ts';
import type { DesiredZone, HealthSnapshot, HealthState } from '../model.ts';
import type { ProbeRunner } from '../probe/runner.ts';
import type { ApiCluster, ApiDrainResponse } from '../http/types.ts';
import { HttpError, type HostAction } from '../http/server.ts';
import { safeToStopAt } from '../http/api.ts';
import { allHealthy, desired } from '../desired.ts';
import { drainWouldNotWithdraw } from '../daemon/drain-check.ts';
import { EtcdClient } from './etcd.ts';
import { ClusterView } from './view.ts';
import { EtcdSession, type Reach, type SessionTimers } from './session.ts';
import { VoteBook } from './votes.ts';
import { LeaderTerm } from './leader.ts';
import { ClusterMetrics } from './metrics.ts';
import { buildApiCluster } from './api.ts';
import { agreedSnapshot } from './quorum.ts';
import { keys } from './keys.ts';
import { readSavedAgreed, saveAgreed } from './saved.ts';
import { clusterNodeName, clusterPrefix, configDigest, etcdSettings } from './settings.ts';
import type { AgreedVersion } from './types.ts';
import type { TenantZones, ZoneMark } from '../tenants/zones.ts';

export interface ClusterNodeOptions {
  config: Config;
  logger: Logger;
  runner: ProbeRunner;
  timers: SessionTimers;
  registry: Registry;
  env: Record<string, string | undefined>;
  /** serve this zone: nameserver, metrics, audit, state (the daemon's zone targets) */
  deliver: (zone: DesiredZone) => void;
  /** the agreed state of a host changed (per-host gauges) */
  hostChanged: (host: string, pool: string) => void;
  /** this node became the leader (true: run the provider syncers) or stopped being it */
  setLeading: (leading: boolean) => void;
  http: string | null;
  nameserver: string[];
  /** keys this node's probes saw, MTA-STS coverage: what the leader's zone holds of them (src/daemon/transport.ts) */
  transport?: () => TransportState | undefined;
  /** this node's tenant zones: a leader decides their serials from them */
  tenants?: () => TenantZones | undefined;
}

/** How long an operator's drain waits for the leader to publish it before answering 504. */
const OPERATOR_WAIT_MS = 5000;

export class ClusterNode {
  readonly node: string;
  readonly #o: ClusterNodeOptions;
  readonly #cluster: ClusterConfig;
  readonly #hosts: { name: string; pool: string }[];
  readonly #view: ClusterView;
  readonly #client: EtcdClient;
  readonly #session: EtcdSession;
  readonly #votes: VoteBook;
  readonly #metrics: ClusterMetrics;
  readonly #digest: string;
  readonly #startedAt: number;
  #served: DesiredZone | undefined;
  #agreed: AgreedVersion | undefined;
  /** the etcd revision of the agreed version served (0: none, or the saved copy); reset at every join */
  #servedRevision = 0;
  #serving: ApiCluster['serving'] = 'no-agreement-yet';
  #term: LeaderTerm | undefined;
  #lease: string | undefined;
  #stopped = false;
  #waiters: Array<() => void> = [];
  readonly #strangers = new Set<string>();

  constructor(options: ClusterNodeOptions) {
    const { config, logger, timers } = options;
    this.#o = options;
    this.#cluster = config.cluster as ClusterConfig;
    this.node = clusterNodeName(this.#cluster);
    this.#startedAt = timers.now();
    this.#digest = configDigest(config);
    const stsId = mtaStsPolicy(config)?.id;
    this.#hosts = config.pools.flatMap((pool) => pool.hosts.map((host) => ({ name: host.name, pool: pool.name })));
    this.#metrics = new ClusterMetrics(options.registry);
    this.#client = new EtcdClient(etcdSettings(config, this.#cluster, options.env));
    this.#view = new ClusterView({
      hosts: new Set(this.#hosts.map((h) => h.name)),
      zones: new Set([config.zone]),
      now: () => timers.now(),
      onFinding: (finding) => logger.warn({ key: finding.key, finding: finding.message }, 'cluster: a key in etcd was not believed'),
      // a peer just saw a host fail: look now rather than at this node's next scheduled probe, so the
      // quorum's second "down" does not wait for it (docs/cluster.md, "Confirm probes")
      onVoteDown: (node, host) => {
        if (node !== this.node && this.#view.members.has(node)) options.runner.confirm(host);
      },
    });
    this.#session = new EtcdSession({
      client: this.#client,
      node: this.node,
      ttlSeconds: this.#cluster.lease / 1000,
      member: () => ({ node: this.node, startedAt: this.#startedAt, http: options.http, nameserver: options.nameserver, configDigest: this.#digest, ...(stsId ? { stsId } : {}) }),
      view: this.#view,
      logger,
      timers,
      onChange: () => this.#changed(),
      onReach: (reach) => this.#reached(reach),
    });
    this.#votes = new VoteBook({
      node: this.node,
      hosts: this.#hosts.map((h) => h.name),
      verdict: (host) => this.#verdict(host),
      session: this.#session,
      logger,
      now: () => timers.now(),
      setTimeout: (callback, ms) => timers.setTimeout(callback, ms),
      onWrite: () => this.#metrics.write('votes'),
    });
    // the runner applies a result right after this event: read the verdict once it has
    options.runner.on('probe', (host) => queueMicrotask(() => this.#votes.probed(host)));
  }

  /** Joins (bounded: a few request timeouts); an unreachable etcd is not fatal — the node says so and keeps trying. */
  async start(): Promise<void> {
    const saved = readSavedAgreed(this.#o.config.stateDir, this.#o.config.zone, this.#o.logger);
    if (saved) {
      this.#agreed = saved.version;
      this.#served = saved.zones[this.#o.config.zone];
      this.#serving = 'saved-agreed';
    }
    this.#votes.all();
    this.#session.start();
    await this.#until(() => this.#session.reach !== 'connecting', this.#cluster.etcd.timeout * 3);
  }

  /** The zone to serve first: agreed (etcd or the saved copy), else after a bounded wait one that withdraws nothing. */
  async firstZone(waitMs: number): Promise<DesiredZone> {
    if (!this.#served) await this.#until(() => this.#served !== undefined, waitMs);
    if (this.#served) return this.#served;
    const now = this.#o.timers.now();
    // nothing agreed yet and nobody to agree with: withdraw nothing on this node's view alone
    this.#served = desired(this.#o.config, allHealthy(this.#o.config, now), { serial: 1, now });
    this.#o.logger.warn({ waitedMs: waitMs }, 'cluster: no agreed zone yet (etcd unreachable or no leader): serving every enabled host until there is one');
    return this.#served;
  }

  get zone(): DesiredZone | undefined {
    return this.#served;
  }

  /** The agreed health (before any agreement: every enabled host, as the fallback zone has it). */
  snapshot(): HealthSnapshot {
    if (!this.#agreed) return allHealthy(this.#o.config, this.#startedAt);
    return agreedSnapshot(this.#hosts, this.#agreed.hosts, this.#startedAt);
  }

  stateOf(host: string): HealthState | undefined {
    return this.#agreed?.hosts[host]?.state;
  }

  /** The tenant zones' agreed serials (per zone, with the content hash they name), once agreed. */
  get tenantSerials(): Readonly<Record<string, ZoneMark>> | undefined {
    return this.#agreed?.tenants;
  }

  get lastKnownGood(): Record<string, string[]> {
    return this.#agreed?.lastKnownGood ?? {};
  }

  /**
   * drain/undrain (`operator/<host>`) and disable/enable (`disabled/<host>`) through etcd: answered
   * once the leader published it (or 504 after a few seconds).
   */
  async operator(host: string, kind: HostAction): Promise<ApiDrainResponse> {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (!this.#hosts.some((h) => h.name === name)) throw new HttpError(404, `no host named ${host} in the config`);
    const now = this.#o.timers.now();
    if (kind === 'drain') {
      const blocked = drainWouldNotWithdraw(this.#o.config, this.snapshot(), name, this.lastKnownGood, now);
      if (blocked) throw new HttpError(409, blocked);
    }
    if (this.#session.reach !== 'live') throw new HttpError(503, `etcd is unreachable from node ${this.node}: the ${kind} cannot be recorded for the cluster; ask another node, or again when etcd is back`);
    const draining = kind === 'drain' || kind === 'undrain';
    const recorded = draining ? this.#view.operator.has(name) : this.#view.disabled.has(name);
    const wanted = kind === 'drain' || kind === 'disable';
    if (wanted !== recorded) {
      const value = kind === 'drain' ? { drained: true, at: now, by: this.node } : kind === 'disable' ? { disabled: true, at: now, by: this.node } : undefined;
      try {
        await this.#client.set(draining ? keys.operator(name) : keys.disabled(name), value && JSON.stringify(value));
      } catch (error) {
        throw new HttpError(503, `etcd refused the ${kind}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.#metrics.write('operator');
    }
    this.#o.logger.info({ host: name, action: kind, node: this.node }, 'cluster: operator action recorded in etcd');
    // a host `disabled: true` in the config stays disabled after an enable (the config decides)
    const inConfig = this.#o.config.pools.some((pool) => pool.hosts.some((h) => h.name === name && h.disabled));
    const done = (state: HealthState | undefined): boolean => {
      if (state === undefined) return false;
      if (kind === 'drain') return state === 'draining' || state === 'disabled';
      if (kind === 'undrain') return state !== 'draining';
      if (kind === 'disable') return state === 'disabled';
      return state !== 'disabled' || inConfig;
    };
    if (!(await this.#until(() => done(this.stateOf(name)), OPERATOR_WAIT_MS))) {
      throw new HttpError(504, `the ${kind} of ${name} is recorded in etcd, but no leader published it within ${OPERATOR_WAIT_MS / 1000} s (leader: ${this.#view.leader() ?? 'none'}); it takes effect when one does`);
    }
    const agreed = this.#agreed?.hosts[name];
    const state = agreed?.state ?? 'unhealthy';
    const drainedAt = state === 'draining' ? agreed?.withdrawnAt : undefined;
    return { host: name, state, drain: drainedAt === undefined ? null : { drainedAt, safeToStopAt: safeToStopAt(drainedAt, this.#o.config.ttl) }, serial: this.#served?.serial ?? 0 };
  }

  /** Something only this node knows changed the zone (a host presents a new key): the leader decides again. */
  recompute(): void {
    this.#term?.request();
  }

  status(): ApiCluster {
    const api = buildApiCluster({
      config: this.#o.config,
      node: this.node,
      prefix: clusterPrefix(this.#o.config, this.#cluster),
      endpoints: this.#cluster.etcd.endpoints,
      quorum: this.#cluster.quorum,
      etcd: { endpoints: this.#cluster.etcd.endpoints, state: this.#session.reach, since: this.#session.since, error: this.#session.lastError },
      view: this.#view,
      agreed: this.#agreed,
      serving: this.#serving,
      mine: this.#votes.mine,
      configDigest: this.#digest,
      writes: this.#metrics.writes,
    });
    for (const node of this.#view.strangers()) api.findings.push({ key: `votes/${node}/`, message: `votes of ${node}, which is not a live member: ignored`, at: this.#startedAt });
    return api;
  }

  /** Leaves the cluster at once (lease revoked) and stops leading. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#endTerm();
    this.#votes.stop();
    await this.#session.stop();
    this.#client.close();
    this.#wake();
  }

  #verdict(host: string): { vote: 'up' | 'down'; reason: string } | undefined {
    const health = this.#o.runner.healthOf(host);
    if (!health.checked) return undefined;
    const history = this.#o.runner.history(host);
    return { vote: health.probed === 'healthy' ? 'up' : 'down', reason: history[history.length - 1]?.reason ?? '' };
  }

  #changed(): void {
    if (this.#session.reach === 'live' && !this.#view.members.has(this.node)) this.#session.rejoin('this node\'s member key is gone from etcd although its lease lives');
    this.#serveAgreed();
    for (const node of this.#view.strangers()) {
      if (this.#strangers.has(node)) continue;
      this.#strangers.add(node);
      this.#o.logger.warn({ node }, 'cluster: votes in etcd from a node that is not a live member: ignored');
    }
    for (const host of this.#hosts) {
      let up = 0;
      let down = 0;
      for (const node of this.#view.members.keys()) {
        const vote = this.#view.votes.get(node)?.get(host.name)?.vote;
        if (vote === 'up') up++;
        else if (vote === 'down') down++;
      }
      this.#metrics.votes(host.name, host.pool, up, down);
    }
    this.#lead();
    this.#wake();
  }

  #reached(reach: Reach): void {
    if (reach === 'live') {
      if (this.#session.leaseId !== this.#lease) this.#metrics.write('join');
      this.#lease = this.#session.leaseId;
      // a fresh read of etcd (which may have been wiped and rebuilt, revisions restarting): believe it
      this.#servedRevision = 0;
      this.#serveAgreed();
      this.#votes.rejoined(this.#view.votes.get(this.node));
    }
    this.#lead();
    this.#wake();
  }

  /** Serves the agreed version when its zone is there and consistent (one transaction wrote both). */
  #serveAgreed(): void {
    const { config } = this.#o;
    const version = this.#view.version;
    const zone = this.#view.zones.get(config.zone);
    if (!version || !zone || version.value.serials[config.zone] !== zone.serial || version.value === this.#agreed) return;
    // the leader served its own write already: this is its echo, or an older write's that came late
    if (version.revision <= this.#servedRevision) {
      if (version.revision === this.#servedRevision) this.#agreed = version.value;
      return;
    }
    this.#serve(version.value, zone, version.revision);
  }

  /**
   * Serves `version` and its zone, written at etcd revision `revision`: what the watch brought, or
   * what this node (the leader) has just written — it serves that at once instead of waiting for its
   * own write to come back through the watch (the cluster's failover is as fast as its slowest node).
   */
  #serve(version: AgreedVersion, zone: DesiredZone, revision: number): void {
    const { config } = this.#o;
    this.#servedRevision = revision;
    const before = this.#agreed;
    this.#agreed = version;
    for (const host of this.#hosts) if (before?.hosts[host.name]?.state !== version.hosts[host.name]?.state) this.#o.hostChanged(host.name, host.pool);
    if (this.#served?.serial !== zone.serial || this.#serving !== 'agreed') {
      this.#served = zone;
      this.#serving = 'agreed';
      this.#o.logger.info({ serial: zone.serial, by: version.by }, 'cluster: serving the agreed zone');
      this.#o.deliver(zone);
    } else if (zone !== this.#served) {
      // the same serial, so the same records, with a new transport summary: shown, nothing re-served
      this.#served = zone;
    }
    saveAgreed(config.stateDir, { version, zones: { [config.zone]: zone } }, this.#o.logger);
  }

  /** The leader's transaction went through: serve it now (the watch brings the same version back). */
  #written(version: AgreedVersion, zone: DesiredZone, revision: number): void {
    if (this.#stopped || revision <= this.#servedRevision) return;
    this.#serve(version, zone, revision);
  }

  #lead(): void {
    const leading = !this.#stopped && this.#session.reach === 'live' && this.#view.leader() === this.node;
    if (leading && !this.#term) {
      const guard = this.#session.electionGuard;
      if (!guard) return;
      this.#term = new LeaderTerm({
        config: this.#o.config,
        node: this.node,
        quorum: this.#cluster.quorum,
        view: this.#view,
        client: this.#client,
        electionGuard: guard,
        logger: this.#o.logger,
        timers: this.#o.timers,
        servedSerial: this.#served?.serial ?? 0,
        firstVotesMs: this.#o.config.probe.timeout * 2 + 2000,
        // every live node's policy server counts for the MTA-STS hold (src/cluster/sts-members.ts)
        ...(this.#o.transport ? { transport: () => withMemberPolicies(this.#o.transport?.(), this.node, [...this.#view.members.values()].map((m) => m.info), this.#served ? stsIdOf(this.#served) : undefined, mtaStsPolicy(this.#o.config)?.id) } : {}),
        ...(this.#o.tenants ? { tenants: this.#o.tenants } : {}),
        onWrite: () => this.#metrics.write('agreed'),
        onWritten: (version, zone, revision) => this.#written(version, zone, revision),
        onEnd: (why) => {
          this.#o.logger.warn({ why }, 'cluster: leadership term ended; starting again from what etcd holds');
          this.#term = undefined;
          this.#o.setLeading(false);
          this.#o.timers.setTimeout(() => this.#lead(), 250);
        },
      });
      this.#o.setLeading(true);
    } else if (!leading && this.#term) {
      this.#o.logger.info({ node: this.node, reach: this.#session.reach, leader: this.#view.leader() ?? null }, 'cluster: no longer the leader: provider syncs stop here');
      this.#endTerm();
    }
    this.#term?.request();
    this.#metrics.update({ members: this.#view.members.size, leader: this.#term !== undefined, etcdUp: this.#session.reach === 'live', findings: this.#view.findings.length });
  }

  #endTerm(): void {
    if (!this.#term) return;
    this.#term.stop();
    this.#term = undefined;
    this.#o.setLeading(false);
  }

  /** Resolves true once `check` holds (re-checked at every change), false after `ms`. */
  async #until(check: () => boolean, ms: number): Promise<boolean> {
    const deadline = this.#o.timers.now() + ms;
    while (!check()) {
      const left = deadline - this.#o.timers.now();
      if (left <= 0 || this.#stopped) return check();
      await new Promise<void>((resolve) => {
        const timer = this.#o.timers.setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          this.#o.timers.clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  #wake(): void {
    const waiters = this.#waiters.splice(0);
    for (const wake of waiters) wake();
  }
}
