// This node's presence in etcd: one lease, the member and election keys created under it in one
// transaction, one read of the whole prefix and one watch from there. The lease is renewed by our
// own loop every lease/4 (no other traffic while nothing changes), which is also how etcd being
// gone is noticed:
// - renewals fail for lease/2: etcd is unreachable. The node says so and stops acting as leader
//   before its lease can expire in etcd (at `lease`), so two leaders never overlap;
// - a renewal succeeds again and the lease still exists: back, with the same keys (a blip moves no
//   leadership); the prefix is read again and the watch restarted from there;
// - etcd answers that the lease is gone (it expired during the outage): a fresh session — new lease,
//   member and election keys again (a younger election key: the others lead now), votes re-published.
import type { Logger } from '../log.ts';
import { EtcdClient, LeaseGoneError, type Put } from './etcd.ts';
import { keys } from './keys.ts';
import type { ClusterView, KvEvent } from './view.ts';
import type { MemberInfo } from './types.ts';

export type Reach = 'connecting' | 'live' | 'unreachable' | 'stopped';

export interface SessionTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SessionOptions {
  client: EtcdClient;
  node: string;
  ttlSeconds: number;
  member: () => MemberInfo;
  view: ClusterView;
  logger: Logger;
  timers: SessionTimers;
  /** the view changed (after a batch of watch events, or a full read) */
  onChange: () => void;
  /** reachability changed */
  onReach: (reach: Reach) => void;
}

/** Least and most pause between attempts to (re)connect. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

export class EtcdSession {
  readonly #o: SessionOptions;
  #reach: Reach = 'connecting';
  #since: number;
  #error: string | null = null;
  #leaseId: string | undefined;
  #memberRevision = 0;
  #lastRenewal = 0;
  #timer: unknown;
  #cancelWatch: (() => Promise<void>) | undefined;
  #retryMs = RETRY_MIN_MS;
  #busy = false;

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#since = options.timers.now();
  }

  get reach(): Reach {
    return this.#reach;
  }

  /** when `reach` last changed */
  get since(): number {
    return this.#since;
  }

  get lastError(): string | null {
    return this.#error;
  }

  get leaseId(): string | undefined {
    return this.#leaseId;
  }

  /** The guard of every write this node makes under its session: its member key, as created. */
  get guard(): { key: string; createRevision: number } | undefined {
    return this.#reach === 'live' ? { key: keys.member(this.#o.node), createRevision: this.#memberRevision } : undefined;
  }

  /** The create revision of our election key (member and election keys are created together). */
  get electionGuard(): { key: string; createRevision: number } | undefined {
    return this.#reach === 'live' ? { key: keys.election(this.#o.node), createRevision: this.#memberRevision } : undefined;
  }

  start(): void {
    void this.#connect();
  }

  /** Leaves the cluster at once (revokes the lease: our keys vanish) and stops every timer. */
  async stop(): Promise<void> {
    const lease = this.#leaseId;
    this.#setReach('stopped');
    this.#clearTimer();
    await this.#cancelWatch?.().catch(() => undefined);
    this.#cancelWatch = undefined;
    if (lease !== undefined) await this.#o.client.revoke(lease).catch((error: unknown) => this.#o.logger.warn({ err: message(error) }, 'cluster: could not revoke the lease at shutdown; it expires by itself'));
    this.#leaseId = undefined;
  }

  /**
   * Our member key vanished while the lease lives (someone deleted it by hand): join again with a
   * fresh lease rather than vote through a session nobody counts.
   */
  rejoin(why: string): void {
    const lease = this.#leaseId;
    if (this.#reach !== 'live' || lease === undefined) return;
    this.#o.logger.warn({ node: this.#o.node, why }, 'cluster: joining again with a fresh lease');
    this.#leaseId = undefined;
    this.#clearTimer();
    void this.#cancelWatch?.().catch(() => undefined);
    this.#cancelWatch = undefined;
    void this.#o.client.revoke(lease).catch(() => undefined);
    this.#setReach('connecting');
    this.#retry(() => void this.#connect(), 0);
  }

  /** A write guarded by our member key (votes): false when the session is not live or lost its key. */
  async write(puts: Put[], deletes: string[] = []): Promise<boolean> {
    const guard = this.guard;
    if (!guard) return false;
    const leased = puts.map((put) => ({ ...put, lease: this.#leaseId as string }));
    try {
      return (await this.#o.client.writeGuarded(guard, leased, deletes)) !== undefined;
    } catch (error) {
      this.#o.logger.debug({ err: message(error) }, 'cluster: write failed');
      return false;
    }
  }

  async #connect(): Promise<void> {
    if (this.#reach === 'stopped' || this.#busy) return;
    this.#busy = true;
    const { client, node, ttlSeconds, logger } = this.#o;
    let lease: string | undefined;
    try {
      lease = await client.grantLease(ttlSeconds);
      const member: Put = { key: keys.member(node), value: JSON.stringify(this.#o.member()), lease };
      const revision = await client.createIfAbsent(member, [{ key: keys.election(node), value: node, lease }]);
      if (revision === undefined) {
        throw new Error(`another live mxpool holds node name ${node} (or this node's previous session, until its lease of ${ttlSeconds} s expires)`);
      }
      if ((this.#reach as Reach) === 'stopped') return void (await client.revoke(lease).catch(() => undefined));
      this.#leaseId = lease;
      this.#memberRevision = revision;
      this.#lastRenewal = this.#o.timers.now();
      await this.#resync();
      this.#retryMs = RETRY_MIN_MS;
      this.#error = null;
      logger.info({ node, lease, revision }, 'cluster: joined');
      this.#setReach('live');
      this.#scheduleRenewal();
    } catch (error) {
      if (lease !== undefined && this.#leaseId !== lease) client.drop(lease); // never used: let it expire
      this.#failed(error, 'cluster: cannot join through etcd');
      this.#retry(() => void this.#connect());
    } finally {
      this.#busy = false;
    }
  }

  /** Reads the whole prefix into the view and watches from the revision after it. */
  async #resync(): Promise<void> {
    await this.#cancelWatch?.().catch(() => undefined);
    this.#cancelWatch = undefined;
    const { events, revision } = await this.#o.client.readAll();
    const { view } = this.#o;
    view.clear();
    for (const event of events) view.apply(event);
    this.#cancelWatch = await this.#o.client.watch(revision + 1, (batch) => this.#onEvents(batch), (error) => this.#onWatchError(error));
    this.#o.onChange();
  }

  #onEvents(batch: KvEvent[]): void {
    if (this.#reach === 'stopped') return;
    for (const event of batch) this.#o.view.apply(event);
    this.#o.onChange();
  }

  #onWatchError(error: Error): void {
    if (this.#reach !== 'live') return;
    this.#o.logger.warn({ err: error.message }, 'cluster: the watch failed; reading the prefix again');
    this.#resync().catch((failure: unknown) => this.#failed(failure, 'cluster: re-reading the prefix failed'));
  }

  #scheduleRenewal(): void {
    this.#clearTimer();
    if (this.#reach === 'stopped') return;
    this.#timer = this.#o.timers.setTimeout(() => void this.#renew(), (this.#o.ttlSeconds * 1000) / 4);
  }

  async #renew(): Promise<void> {
    const lease = this.#leaseId;
    if (lease === undefined || this.#reach === 'stopped') return;
    try {
      await this.#o.client.keepAlive(lease);
      this.#lastRenewal = this.#o.timers.now();
      if (this.#reach === 'unreachable') {
        await this.#resync();
        this.#error = null;
        this.#o.logger.info({ node: this.#o.node, lease }, 'cluster: etcd reachable again; same lease, state read again');
        this.#setReach('live');
      }
      this.#scheduleRenewal();
    } catch (error) {
      if (error instanceof LeaseGoneError) {
        // the lease expired while we were cut off: everything we had in etcd is gone
        await this.#cancelWatch?.().catch(() => undefined);
        this.#cancelWatch = undefined;
        this.#leaseId = undefined;
        this.#failed(error, 'cluster: our lease expired in etcd; joining again with a fresh one');
        this.#retry(() => void this.#connect(), 0);
        return;
      }
      const silentFor = this.#o.timers.now() - this.#lastRenewal;
      if (silentFor >= (this.#o.ttlSeconds * 1000) / 2) this.#failed(error, 'cluster: etcd unreachable');
      // the member asked may be the dead one: try again at once (the client picks another), while
      // the lease still has time; past half of it, at the usual pace
      if (this.#reach === 'live') {
        this.#clearTimer();
        this.#timer = this.#o.timers.setTimeout(() => void this.#renew(), 100);
      } else {
        this.#scheduleRenewal();
      }
    }
  }

  #failed(error: unknown, what: string): void {
    const text = message(error);
    const first = this.#reach !== 'unreachable' || this.#error !== text;
    this.#error = text;
    if (first) this.#o.logger.warn({ err: text, node: this.#o.node }, `${what}: serving the last agreed zone, withdrawing nothing on this node's view alone`);
    this.#setReach('unreachable');
  }

  #retry(run: () => void, ms = this.#retryMs): void {
    this.#clearTimer();
    if (this.#reach === 'stopped') return;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#timer = this.#o.timers.setTimeout(run, ms);
  }

  #setReach(reach: Reach): void {
    if (this.#reach === reach) return;
    if (this.#reach === 'stopped') return;
    this.#reach = reach;
    this.#since = this.#o.timers.now();
    this.#o.onReach(reach);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
