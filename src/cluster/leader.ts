// One leadership term: while this node holds the oldest election key, it turns the live nodes'
// votes into the agreed health (quorum.ts), the agreed health into the zone (the same publisher a
// single mxpool runs, seeded with the agreed zone, serial, last-known-good sets and SPF grace), and
// writes the result in ONE transaction guarded by its election key and by the revision of the agreed
// version it started from. So:
// - the serial is computed once, by the leader, from the last agreed serial: every node serves it;
// - a deposed leader's write fails (its election key is gone or younger) instead of overwriting;
// - records that did not change get no new serial; host states that changed without changing the
//   records (whenAllDown) are still written, so the next leader starts from them.
// A failed write ends the term; the node starts a new one from what etcd holds (node.ts).
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { DesiredZone, HealthSnapshot } from '../model.ts';
import { ZonePublisher } from '../daemon/publisher.ts';
import { TenantZones, type ZoneMark } from '../tenants/zones.ts';
import type { TransportState } from '../auth/transport.ts';
import { spfSetsOf } from '../auth/records.ts';
import { agreeHealth, agreedSnapshot, sameAgreed } from './quorum.ts';
import { encodeLarge } from './codec.ts';
import { keys } from './keys.ts';
import type { EtcdClient, Put } from './etcd.ts';
import type { ClusterView } from './view.ts';
import type { AgreedHost, AgreedVersion, QuorumSetting } from './types.ts';
import type { SessionTimers } from './session.ts';

export interface LeaderOptions {
  config: Config;
  node: string;
  quorum: QuorumSetting;
  view: ClusterView;
  client: EtcdClient;
  electionGuard: { key: string; createRevision: number };
  logger: Logger;
  timers: SessionTimers;
  /** the serial this node serves now: never go below it (an etcd wiped clean starts without one) */
  servedSerial: number;
  /** a fresh cluster waits this long for every live node's votes before its first agreed zone */
  firstVotesMs: number;
  /** the term cannot go on (a write failed or was refused) */
  onEnd: (why: string) => void;
  onWrite: (ops: number) => void;
  /** the agreed version and its zone are in etcd at `revision` (this node serves them at once) */
  onWritten?: (version: AgreedVersion, zone: DesiredZone, revision: number) => void;
  /** the DANE keys and MTA-STS coverage this node knows (desired() uses them as in a single serve) */
  transport?: () => TransportState | undefined;
  /** this node's tenant zones (their parts, and its serials for a cluster that agreed on none yet) */
  tenants?: () => TenantZones | undefined;
}

const COALESCE_MS = 10;

export class LeaderTerm {
  readonly #o: LeaderOptions;
  readonly #hosts: { name: string; pool: string; disabled: boolean }[];
  readonly #publisher: ZonePublisher;
  /** the tenant zones' serials, decided here like the zone's and written in the agreed version */
  readonly #tenants: TenantZones | undefined;
  readonly #startedAt: number;
  #agreedHosts: Record<string, AgreedHost> | undefined;
  #agreedRevision: number;
  /** the states of the last evaluation (what the next write carries) */
  #computed: Record<string, AgreedHost> | undefined;
  #snapshot: HealthSnapshot;
  /** a zone the publisher produced that is not written yet */
  #pendingZone: DesiredZone | undefined;
  #writing = false;
  #again = false;
  #timer: unknown;
  #ended = false;

  constructor(options: LeaderOptions) {
    this.#o = options;
    const { config, view, timers } = options;
    this.#startedAt = timers.now();
    this.#hosts = config.pools.flatMap((pool) => pool.hosts.map((host) => ({ name: host.name, pool: pool.name, disabled: host.disabled })));
    const version = view.version;
    const zone = view.zones.get(config.zone);
    const current = version && zone && version.value.serials[config.zone] === zone.serial ? zone : undefined;
    this.#agreedHosts = version?.value.hosts;
    this.#agreedRevision = version?.revision ?? 0;
    this.#snapshot = agreedSnapshot(this.#hosts, this.#agreedHosts ?? {}, this.#startedAt);
    this.#publisher = new ZonePublisher({
      config,
      logger: options.logger.child({ component: 'cluster-leader' }),
      now: () => timers.now(),
      health: () => this.#snapshot,
      previousSerial: Math.max(version?.value.serials[config.zone] ?? 0, options.servedSerial),
      lastKnownGood: version?.value.lastKnownGood ?? {},
      retired: version?.value.retired ?? [],
      previousSpf: current ? spfSetsOf(config.zone, current.sets) : [],
      ...(current ? { current } : {}),
      setTimer: (callback, ms) => timers.setTimeout(callback, ms),
      clearTimer: (handle) => timers.clearTimeout(handle),
      targets: [(next) => this.#zoneChanged(next)],
      // the same records with a new transport summary (MTA-STS holds, DANE mismatches): every node
      // shows what the leader decided, so it is written too (same serial; nodes swap no records)
      onSummary: (next) => this.#zoneChanged(next),
      ...(options.transport ? { transport: options.transport } : {}),
    });
    const own = options.tenants?.();
    this.#tenants = own && own.size > 0 ? new TenantZones(config, { marks: version?.value.tenants ?? own.marks(), parts: [...own.built().parts] }) : undefined;
    options.logger.info({ node: options.node, serial: current?.serial ?? null, revision: this.#agreedRevision }, 'cluster: this node leads: it decides the agreed zone and syncs providers');
  }

  /** Something the agreed state depends on changed (votes, members, operator keys): decide soon. */
  request(): void {
    if (this.#ended || this.#timer !== undefined) return;
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#evaluate();
    }, COALESCE_MS);
  }

  stop(): void {
    this.#ended = true;
    this.#publisher.stop();
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #evaluate(): void {
    if (this.#ended) return;
    const { view, quorum, timers } = this.#o;
    const live = new Set(view.members.keys());
    if (!this.#agreedHosts && !this.#votesIn(live)) {
      // a fresh cluster: wait (bounded) for every live node's first verdicts, so the first zone is
      // not one node's view
      const left = this.#startedAt + this.#o.firstVotesMs - timers.now();
      if (left > 0) {
        this.#timer = timers.setTimeout(() => {
          this.#timer = undefined;
          this.#evaluate();
        }, left);
        return;
      }
    }
    const hosts = agreeHealth({ hosts: this.#hosts, live, votes: view.votes, operator: view.operator, disabled: view.disabled, previous: this.#agreedHosts, quorum, now: timers.now() });
    this.#computed = hosts;
    this.#snapshot = agreedSnapshot(this.#hosts, hosts, this.#startedAt);
    this.#publisher.publishNow(); // a changed zone arrives in #zoneChanged
    if (this.#pendingZone !== undefined || !sameAgreed(this.#agreedHosts, hosts)) void this.#write(hosts);
  }

  /** Every live node has voted on every host (or the host is disabled). */
  #votesIn(live: ReadonlySet<string>): boolean {
    for (const node of live) {
      const votes = this.#o.view.votes.get(node);
      for (const host of this.#hosts) if (!host.disabled && !votes?.has(host.name)) return false;
    }
    return true;
  }

  #zoneChanged(zone: DesiredZone): void {
    this.#pendingZone = zone;
    // the publisher's SPF grace timer publishes on its own: write then too
    if (!this.#writing) void this.#write(undefined);
  }

  async #write(hosts: Record<string, AgreedHost> | undefined): Promise<void> {
    if (this.#writing) {
      this.#again = true;
      return;
    }
    const { config, node, client, electionGuard, logger } = this.#o;
    const agreedHosts = hosts ?? this.#computed ?? this.#agreedHosts;
    const zone = this.#pendingZone ?? this.#publisher.zone;
    if (!zone || !agreedHosts) return;
    const version: AgreedVersion = {
      by: node,
      at: this.#o.timers.now(),
      serials: { [config.zone]: zone.serial },
      hosts: agreedHosts,
      lastKnownGood: this.#publisher.lastKnownGood,
      retired: this.#publisher.retired.map((entry) => ({ address: entry.address, until: entry.until, ...(entry.host !== undefined ? { host: entry.host } : {}) })),
    };
    const tenants = this.#tenantSerials(zone);
    if (tenants) version.tenants = tenants;
    const puts: Put[] = [{ key: keys.agreed, value: encodeLarge(version) }];
    const zoneWritten = this.#pendingZone;
    if (zoneWritten) puts.push({ key: keys.zone(config.zone), value: encodeLarge(zoneWritten) });
    this.#writing = true;
    try {
      const revision = await client.writeGuarded(electionGuard, puts, [], { key: keys.agreed, modRevision: this.#agreedRevision });
      if (revision === undefined) return this.#end('the agreed version changed under us, or our election key is gone');
      this.#o.onWrite(puts.length);
      this.#agreedRevision = revision;
      this.#agreedHosts = agreedHosts;
      if (this.#pendingZone === zoneWritten) this.#pendingZone = undefined;
      logger.info({ serial: zone.serial, revision, zoneWritten: zoneWritten !== undefined, txnMs: this.#o.timers.now() - version.at }, 'cluster: agreed version written');
      this.#o.onWritten?.(version, zone, revision);
    } catch (error) {
      return this.#end(`writing the agreed version failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#writing = false;
    }
    if (this.#again) {
      this.#again = false;
      this.#evaluate();
    }
  }

  /** Each tenant zone's serial for the agreed zone's published hosts (a new one where its content changed). */
  #tenantSerials(zone: DesiredZone): Record<string, ZoneMark> | undefined {
    if (!this.#tenants) return undefined;
    this.#tenants.publish(this.#o.config, zone.published ?? {}, new Date(this.#o.timers.now()));
    return this.#tenants.marks();
  }

  #end(why: string): void {
    if (this.#ended) return;
    this.stop();
    this.#o.onEnd(why);
  }
}
