// The daemon's memory for transport security: the DANE key book fed by every probe, since when the
// served MTA-STS policy has named each host, and the digests each host presented last. It hands
// desired() a TransportState, learns from each published zone which keys its TLSA RRsets hold, and
// is saved in the state file. No timers here: the publisher re-publishes at `nextChange`.
import type { Config } from '../config/schema.ts';
import type { DesiredZone } from '../model.ts';
import type { ApiTransport } from '../http/types.ts';
import { mtaStsPolicy } from '../auth/mta-sts.ts';
import type { CertDigests, ProbeResult } from '../probe/types.ts';
import type { SavedTransport } from '../state/file.ts';
import { currentKey, emptyHostBook, keyOf, observe, published, rrsetKeys, type DaneBook } from '../auth/dane.ts';
import { stsHolds, tlsaOwner, type TransportState } from '../auth/transport.ts';
import { StsPlaces } from './sts-places.ts';

export class TransportTracker {
  #config: Config;
  #ttlMs: number;
  #dane: DaneBook = {};
  #stsNames: Record<string, number> = {};
  /** since when each place that publishes the zone has carried the policy's id (src/daemon/sts-places.ts) */
  readonly #places: StsPlaces;
  readonly #presented = new Map<string, CertDigests>();
  #inbound: Set<string>;

  /** `ttlMs`: how long resolvers may cache the records (the config TTL, raised by a provider's floor). */
  constructor(config: Config, ttlMs: number, saved?: SavedTransport) {
    this.#config = config;
    this.#ttlMs = ttlMs;
    this.#inbound = inboundHosts(config);
    if (saved) this.#dane = relevant(config, this.#inbound, saved.dane);
    if (saved && config.auth.mtaSts) this.#stsNames = { ...saved.stsNames };
    this.#places = new StsPlaces(saved && config.auth.mtaSts ? saved.stsPlaces : {});
  }

  /**
   * The places that publish the zone (`nameserver`, each provider), at start-up and after a
   * reload. A place new to the book starts with the names already clear of the hold elsewhere.
   */
  setPlaces(places: readonly string[], now: number): void {
    const policy = mtaStsPolicy(this.#config);
    if (!policy) return this.#places.expect([], []);
    const held = stsHolds(policy.names, { stsNames: this.#stsNames, stsPlaces: this.#places.view().filter((p) => places.includes(p.place)), ttlMs: this.#ttlMs }, now);
    this.#places.expect(places, policy.names.filter((name) => !held.has(name)));
  }

  /** `place` serves the zone of `serial` from `now` on. True when the MTA-STS holds change. */
  carried(place: string, serial: number, now: number): boolean {
    return this.#config.auth.mtaSts ? this.#places.carried(place, serial, now) : false;
  }

  /** `place`'s sync failed: names it does not carry yet stay out of MX (and /api/state says why). */
  failed(place: string, message: string, now: number): void {
    this.#places.failed(place, message, now);
  }

  /** The MX names waiting for `place` to carry the policy's id (for the log). */
  waitingFor(place: string, zone: DesiredZone | undefined): string[] {
    return Object.entries(zone?.transport?.stsWaiting ?? {}).flatMap(([name, places]) => (places.includes(place) ? [name] : []));
  }

  /**
   * A reload: hosts gone from the inbound pools are forgotten, and the policy in force from now on
   * names what the new config names — a host added by the reload counts from this moment (the
   * policy server answers with the new text at once).
   */
  reconfigure(config: Config, ttlMs: number, at: number): void {
    this.#config = config;
    this.#ttlMs = ttlMs;
    this.#inbound = inboundHosts(config);
    this.#dane = relevant(config, this.#inbound, this.#dane);
    for (const host of [...this.#presented.keys()]) if (!this.#inbound.has(host)) this.#presented.delete(host);
    const policy = mtaStsPolicy(config);
    if (policy) this.policyServed(policy.names, at);
    else this.#stsNames = {};
  }

  get enabled(): boolean {
    return Boolean(this.#config.auth.dane || this.#config.auth.mtaSts);
  }

  /**
   * A probe result: remembers the key the host presented. True when that changes what desired()
   * makes of it (a new key, a key leaving the 2 x TTL window): the zone should be rebuilt.
   */
  observe(host: string, result: ProbeResult, now: number): boolean {
    const dane = this.#config.auth.dane;
    const digests = result.tls?.keys;
    if (!dane || !digests || !this.#inbound.has(host)) return false;
    const key = keyOf(digests, dane);
    if (key === null) return false;
    const before = this.#dane[host];
    const previousKey = currentKey(before);
    const previousSet = rrsetKeys(before, [], this.#windowMs()).join(',');
    const after = observe(before ?? emptyHostBook(), key, now);
    this.#dane[host] = after;
    this.#presented.set(host, digests);
    return key !== previousKey || rrsetKeys(after, [], this.#windowMs()).join(',') !== previousSet;
  }

  /** The policy server serves a policy naming `names` from now on (start-up, reload). */
  policyServed(names: readonly string[], now: number): void {
    const next: Record<string, number> = {};
    for (const name of names) next[name] = this.#stsNames[name] ?? now;
    this.#stsNames = next;
  }

  /** A zone went out: each host's TLSA RRset now holds the keys in it. */
  published(zone: DesiredZone, now: number): void {
    this.#places.published(zone, mtaStsPolicy(this.#config));
    if (this.#config.auth.dane?.mode !== 'publish') return;
    const tlsa = new Map(zone.sets.filter((set) => set.type === 'TLSA').map((set) => [set.name, set]));
    for (const host of this.#inbound) {
      const set = tlsa.get(tlsaOwner(host));
      const keys = (set?.values ?? []).flatMap((v) => (v.data.type === 'TLSA' ? [`${v.data.selector} ${v.data.matchingType} ${v.data.data}`] : []));
      const book = this.#dane[host];
      if (!book && keys.length === 0) continue;
      this.#dane[host] = published(book ?? emptyHostBook(), keys, now);
    }
  }

  state(): TransportState {
    const places = this.#config.auth.mtaSts ? { stsPlaces: this.#places.view() } : {};
    return { dane: this.#dane, presented: this.#presented, stsNames: this.#stsNames, ...places, ttlMs: this.#ttlMs };
  }

  /** For /api/state: the policy, the names waiting for it, each MX host's keys and mismatch. */
  api(zone: DesiredZone | undefined): ApiTransport | undefined {
    if (!this.enabled) return undefined;
    const policy = mtaStsPolicy(this.#config);
    const summary = zone?.transport;
    const tlsa = new Map((zone?.sets ?? []).filter((set) => set.type === 'TLSA').map((set) => [set.name, set]));
    return {
      mtaSts: policy ? { mode: policy.mode, id: policy.id, names: policy.names } : null,
      heldMx: heldMxEntries(summary),
      stsPlaces: policy ? this.#places.api() : [],
      dane: this.#config.auth.dane
        ? [...this.#inbound].map((host) => {
            const mismatch = summary?.mismatches[host];
            return {
              host,
              presented: currentKey(this.#dane[host]) ?? null,
              published: (tlsa.get(tlsaOwner(host))?.values ?? []).flatMap((v) => (v.data.type === 'TLSA' ? [`${v.data.selector} ${v.data.matchingType} ${v.data.data}`] : [])),
              mismatch: mismatch ? { key: mismatch.key, until: mismatch.until ?? null } : null,
            };
          })
        : [],
    };
  }

  toSave(): SavedTransport {
    return { stsNames: { ...this.#stsNames }, stsPlaces: this.#places.toSave(), dane: structuredClone(this.#dane) };
  }

  #windowMs(): number {
    return 2 * this.#ttlMs;
  }
}

function inboundHosts(config: Config): Set<string> {
  return new Set(config.pools.filter((p) => p.role === 'inbound').flatMap((p) => p.hosts.map((h) => h.name)));
}

/** The part of a key book that still applies: inbound hosts of the config, keys of its selector and matching. */
function relevant(config: Config, inbound: ReadonlySet<string>, book: DaneBook): DaneBook {
  const dane = config.auth.dane;
  if (!dane) return {};
  const prefix = `${dane.selector} ${dane.matching} `;
  const result: DaneBook = {};
  for (const [host, entry] of Object.entries(book)) {
    if (!inbound.has(host)) continue;
    const seen = Object.fromEntries(Object.entries(entry.seen).filter(([key]) => key.startsWith(prefix)));
    const published = Object.fromEntries(Object.entries(entry.published).filter(([key]) => key.startsWith(prefix)));
    result[host] = { seen, published, ...(entry.since !== undefined && Object.keys(published).length > 0 ? { since: entry.since } : {}) };
  }
  return result;
}

/**
 * One entry per held MX name: when it may enter (null while it waits for places, or with no
 * deadline) and the places it waits for. A name can be under both maps of the summary (held with no
 * deadline and waiting for places): it is listed once.
 */
export function heldMxEntries(summary: DesiredZone['transport']): ApiTransport['heldMx'] {
  const held = summary?.heldMx ?? {};
  const waiting = summary?.stsWaiting ?? {};
  return [...new Set([...Object.keys(held), ...Object.keys(waiting)])].map((host) => {
    const until = held[host];
    return { host, until: until !== undefined && Number.isFinite(until) ? until : null, waitingFor: waiting[host] ?? [] };
  });
}
