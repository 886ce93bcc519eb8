// Turns health into the published zone: recompute the desired records, and when they differ from
// what is served, give them a new serial and hand them to every target (nameserver swap + NOTIFY,
// provider syncers). Event-driven — a transition asks for a publish — with bursts coalesced into one
// (several hosts failing in the same probe round make one zone change, one NOTIFY, one sync).
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { DesiredZone, HealthSnapshot, RData, RecordSet, RecordValue } from '../model.ts';
import { sameRData } from '../dns/rdata.ts';
import { desired, nextSerial } from '../desired.ts';
import { graceMs } from '../auth/senders.ts';
import { spfSetsOf } from '../auth/records.ts';
import { stillRetired, type RetiredSender } from './retired.ts';
import type { TenantZones } from '../tenants/zones.ts';
import type { TransportState } from '../auth/transport.ts';

/** Something that takes each new zone: the nameserver, a provider syncer, metrics, the state file. */
export type ZoneTarget = (zone: DesiredZone) => void;

/** Something that takes the tenant zones that got a new version (each with its own new serial). */
export type TenantTarget = (zones: readonly DesiredZone[]) => void;

export interface PublisherOptions {
  config: Config;
  logger: Logger;
  now: () => number;
  health: () => HealthSnapshot;
  /** the serial published before (from the state file), 0 when none */
  previousSerial: number;
  lastKnownGood: Record<string, string[]>;
  /** addresses of hosts gone from the config that SPF keeps until their grace ends (src/daemon/retired.ts) */
  retired?: readonly RetiredSender[];
  /** the SPF sets published before the restart (state file): kept when the first new SPF fails its checks */
  previousSpf?: readonly RecordSet[];
  /** the zone served already (a cluster leader taking over the agreed one): no new serial for the same records */
  current?: DesiredZone;
  targets: ZoneTarget[];
  /** the tenant zones (customer zones) published beside the top-level zone from the same snapshot */
  tenants?: TenantZones;
  tenantTargets?: TenantTarget[];
  /** keys the probes saw, MTA-STS coverage (src/daemon/transport.ts); absent: nothing held back */
  transport?: () => TransportState | undefined;
  /**
   * the zone's transport summary changed (a hold got its deadline or ended, a DANE mismatch in
   * report mode) but its records did not: no new serial, no target; a cluster leader still writes it
   */
  onSummary?: (zone: DesiredZone) => void;
  /** how long a publish request waits for more to join it */
  coalesceMs?: number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class ZonePublisher {
  readonly #options: PublisherOptions;
  /** the config in force: replaced whole by `reconfigure` (a reload) */
  #config: Config;
  /** the tenant zones of that config (replaced with it) */
  #tenants: TenantZones | undefined;
  #zone: DesiredZone | undefined;
  #serial: number;
  #lastKnownGood: Record<string, string[]>;
  #retired: RetiredSender[];
  #pending: unknown;
  #graceTimer: unknown;
  #reasons: string[] = [];
  #stopped = false;
  /** how long the last rebuild of the desired zone took (ms of the `now` clock) */
  #lastCostMs = 0;

  constructor(options: PublisherOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#tenants = options.tenants;
    this.#serial = options.previousSerial;
    this.#zone = options.current;
    this.#lastKnownGood = { ...options.lastKnownGood };
    this.#retired = [...(options.retired ?? [])];
  }

  get zone(): DesiredZone | undefined {
    return this.#zone;
  }

  get serial(): number {
    return this.#serial;
  }

  get lastKnownGood(): Record<string, string[]> {
    return this.#lastKnownGood;
  }

  /** The retired addresses still in their grace period (what the state file keeps). */
  get retired(): RetiredSender[] {
    this.#retired = stillRetired(this.#retired, this.#options.now());
    return [...this.#retired];
  }

  /** The SPF sets served now; before the first publish, the ones carried over from the state file. */
  get spf(): RecordSet[] {
    return spfSetsOf(this.#config.zone, this.#zone?.sets ?? this.#options.previousSpf ?? [], this.#config.auth.spf?.sharedName);
  }

  /** Asks for a publish soon; requests within `coalesceMs` become one. */
  request(reason: string): void {
    if (this.#stopped) return;
    this.#reasons.push(reason);
    if (this.#pending !== undefined) return;
    const setTimer = this.#options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    // A big zone costs real time to rebuild (10,000 hosts: tens of ms): wait at least twice the last
    // rebuild, so a burst of transitions (a cold start, a network blip) keeps rebuilding under a
    // third of a core instead of back to back, and the probes keep their CPU.
    const wait = Math.max(this.#options.coalesceMs ?? 10, 2 * this.#lastCostMs);
    this.#pending = setTimer(() => {
      this.#pending = undefined;
      this.publishNow();
    }, wait);
  }

  /** Recomputes and publishes now (drain/undrain answer with the resulting serial). */
  publishNow(reason?: string): DesiredZone {
    if (reason) this.#reasons.push(reason);
    this.#cancel();
    const reasons = this.#reasons.splice(0);
    const { now, health, logger } = this.#options;
    const config = this.#config;
    const at = now();
    const snapshot = health();
    const previous = this.#zone?.sets ?? this.#options.previousSpf ?? [];
    const retired = this.#retired;
    const transport = this.#options.transport?.();
    const candidate = desired(config, snapshot, { serial: this.#serial, now: at, lastKnownGood: this.#lastKnownGood, retired, previous, ...(transport ? { transport } : {}) });
    this.#rememberGood(snapshot, candidate);
    this.#armGraceTimer(snapshot, at, candidate.transport?.nextChange);
    const tenantsChanged = this.#publishTenants(candidate, at, reasons);
    this.#lastCostMs = Math.max(0, now() - at);
    if (this.#zone && sameContent(this.#zone.sets, candidate.sets)) {
      // same records, but a DANE mismatch in report mode (or its end) changes only the summary,
      // and so does an MTA-STS hold getting its deadline (a place now carries the policy's id)
      if (this.#zone.transport !== candidate.transport) {
        if (holdsChanged(this.#zone.transport, candidate.transport)) logger.info({ serial: this.#zone.serial, reasons, notes: candidate.notes.filter((note) => note.startsWith('MTA-STS:')) }, 'MTA-STS holds changed (records unchanged)');
        const changed = JSON.stringify(this.#zone.transport ?? null) !== JSON.stringify(candidate.transport ?? null);
        this.#zone = withTransport(this.#zone, candidate.transport);
        if (changed) this.#options.onSummary?.(this.#zone);
      }
      return this.#zone;
    }
    const serial = nextSerial(this.#serial, new Date(at));
    const zone = withSerial(candidate, serial);
    this.#serial = serial;
    this.#zone = zone;
    logger.info({ serial, reasons, notes: zone.notes.length > 0 ? zone.notes : undefined, published: zone.published, tenantZonesChanged: tenantsChanged }, 'zone published');
    for (const target of this.#options.targets) {
      try {
        target(zone);
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error), serial }, 'a zone target failed; the others got the zone');
      }
    }
    return zone;
  }

  /** The tenant zones in force (undefined without tenants). */
  get tenants(): TenantZones | undefined {
    return this.#tenants;
  }

  /**
   * The tenant zones follow the same snapshot: each zone whose MX (or parts) changed gets a new
   * version with its own next serial; the rest keep theirs. Returns how many changed.
   */
  #publishTenants(candidate: DesiredZone, at: number, reasons: string[]): number {
    const tenants = this.#tenants;
    if (!tenants || tenants.size === 0) return 0;
    const changed = tenants.publish(this.#config, candidate.published ?? {}, new Date(at));
    if (changed.length === 0) return 0;
    this.#options.logger.info({ zones: changed.length, of: tenants.size, first: changed[0]?.zone, reasons }, 'tenant zones published');
    for (const target of this.#options.tenantTargets ?? []) {
      try {
        target(changed);
      } catch (error) {
        this.#options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'a tenant zone target failed; the others got the zones');
      }
    }
    return changed.length;
  }

  /**
   * A reload: the next publish uses `config`, and SPF keeps `retired` (the addresses the reload
   * retired plus the earlier ones still in their grace, src/daemon/retired.ts). The last known good
   * set of a pool that left is forgotten. Call `publishNow` next: the serial changes only when the
   * records do.
   */
  reconfigure(config: Config, retired: readonly RetiredSender[], tenants?: TenantZones): void {
    this.#config = config;
    // the new config's tenant zones, built with `previous` = the current ones (unchanged zones keep their serial)
    if (tenants !== undefined) this.#tenants = tenants;
    this.#retired = [...retired];
    for (const pool of Object.keys(this.#lastKnownGood)) if (!config.pools.some((p) => p.name === pool)) delete this.#lastKnownGood[pool];
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
    if (this.#graceTimer !== undefined) (this.#options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout)))(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  #cancel(): void {
    if (this.#pending === undefined) return;
    (this.#options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout)))(this.#pending);
    this.#pending = undefined;
  }

  /** A pool's set is "good" only when it is made of healthy hosts — never a whenAllDown fallback. */
  #rememberGood(snapshot: HealthSnapshot, zone: DesiredZone): void {
    for (const pool of this.#config.pools) {
      const healthy = pool.hosts.filter((host) => snapshot.get(host.name)?.state === 'healthy').map((host) => host.name);
      if (healthy.length >= Math.max(pool.minHealthy, 1)) this.#lastKnownGood[pool.name] = zone.published?.[pool.name] ?? healthy;
    }
  }

  /**
   * A disabled relay stays in SPF for twice the TTL after it was withdrawn, and a retired address
   * (host gone from the config) until its `until`; an MX name held back by MTA-STS or a DANE
   * mismatch ends at `transportChange`. Nothing else happens at those moments, so a timer asks for
   * the publish that follows.
   */
  #armGraceTimer(snapshot: HealthSnapshot, at: number, transportChange?: number): void {
    const config = this.#config;
    let next = transportChange !== undefined && transportChange > at ? transportChange : Number.POSITIVE_INFINITY;
    for (const health of snapshot.values()) {
      if (health.state !== 'disabled') continue;
      const until = (health.withdrawnAt ?? health.since) + graceMs(config);
      if (until > at) next = Math.min(next, until);
    }
    for (const entry of this.#retired) if (entry.until > at) next = Math.min(next, entry.until);
    if (this.#graceTimer !== undefined) (this.#options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout)))(this.#graceTimer);
    this.#graceTimer = undefined;
    if (!Number.isFinite(next) || this.#stopped) return;
    const setTimer = this.#options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.#graceTimer = setTimer(() => {
      this.#graceTimer = undefined;
      this.request(next === transportChange ? 'an MTA-STS hold-back or DANE mismatch ended' : 'SPF grace period over');
    }, Math.min(next - at + 5, MAX_TIMER_MS));
  }
}

/** setTimeout fires at once past 2^31-1 ms; a later deadline just re-arms when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function holdsChanged(before: DesiredZone['transport'], after: DesiredZone['transport']): boolean {
  const holds = (summary: DesiredZone['transport']) => JSON.stringify([summary?.heldMx ?? {}, summary?.stsWaiting ?? {}]);
  return holds(before) !== holds(after);
}

function withTransport(zone: DesiredZone, transport: DesiredZone['transport']): DesiredZone {
  const { transport: _old, ...rest } = zone;
  return transport ? { ...rest, transport } : rest;
}

/** The zone with a new SOA serial; desired() puts the serial nowhere else, so it is not rebuilt. */
function withSerial(zone: DesiredZone, serial: number): DesiredZone {
  if (zone.serial === serial) return zone;
  return { ...zone, serial, sets: setsWithSerial(zone.sets, serial) };
}

/** The sets with the SOA serial replaced (the only place a serial lives in the records). */
function setsWithSerial(sets: RecordSet[], serial: number): RecordSet[] {
  return sets.map((set) => (set.type === 'SOA' ? { ...set, values: set.values.map((v) => (v.data.type === 'SOA' ? { ...v, data: { ...v.data, serial } } : v)) } : set));
}

/**
 * Same records, ignoring the SOA serial (which is what we are deciding whether to bump): set by set,
 * field by field, in order — no text of the whole zone built twice per publish (10,000 hosts).
 */
function sameContent(a: RecordSet[], b: RecordSet[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as RecordSet;
    const y = b[i] as RecordSet;
    if (x === y) continue;
    if (x.name !== y.name || x.type !== y.type || x.ttl !== y.ttl || x.source !== y.source || x.pool !== y.pool || x.values.length !== y.values.length) return false;
    for (let j = 0; j < x.values.length; j++) {
      const v = x.values[j] as RecordValue;
      const w = y.values[j] as RecordValue;
      if (v === w) continue;
      if (v.weight !== w.weight || v.host !== w.host || !sameRData(withoutSerial(v.data), withoutSerial(w.data))) return false;
    }
  }
  return true;
}

function withoutSerial(data: RData): RData {
  return data.type === 'SOA' ? { ...data, serial: 0 } : data;
}
