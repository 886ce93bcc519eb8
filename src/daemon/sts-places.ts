// Where the zone is published, as the MTA-STS safety rule sees it: senders learn of a new policy
// from the `_mta-sts` TXT id, so a new MX name may enter MX only once every place that publishes the
// zone — the built-in nameserver (when it serves the zone), each provider (its successful sync) —
// has carried an id of a policy naming it for one TTL. This book remembers, per place, since when it
// has carried an id naming each name, and why its last sync failed. Plain bookkeeping, no timers;
// the daemon feeds it and saves it in the state file.
import type { DesiredZone } from '../model.ts';
import type { StsPlace } from '../auth/transport.ts';
import type { ApiStsPlace } from '../http/types.ts';

export interface SavedStsPlace {
  /** the `_mta-sts` id the place carried last (null: none yet) */
  id: string | null;
  /** since when it has carried that id */
  since?: number | undefined;
  /** each policy name -> since when the place has carried an id of a policy naming it */
  names: Record<string, number>;
}

interface Place extends SavedStsPlace {
  error?: { message: string; at: number };
}

/** How many published zones' ids are remembered (a provider syncs the latest one; a cycle in flight may be a few behind). */
const REMEMBERED_ZONES = 64;

export class StsPlaces {
  readonly #places = new Map<string, Place>();
  /** serial of a published zone -> the id its `_mta-sts` TXT held and the names of that policy */
  readonly #zones = new Map<number, { id: string; names: readonly string[] }>();

  constructor(saved: Readonly<Record<string, SavedStsPlace>> = {}) {
    for (const [place, entry] of Object.entries(saved)) this.#places.set(place, { id: entry.id, ...(entry.since !== undefined ? { since: entry.since } : {}), names: { ...entry.names } });
  }

  /**
   * The places that publish the zone now (start-up, reload). A place gone is forgotten; a new one
   * (a provider added, or a state file from before this book) starts with `cleared`: the names
   * already in MX everywhere else — it gets them on its first sync together with the id, and no
   * sender can have cached anything from it that contradicts them. Other names wait for its sync.
   */
  expect(places: readonly string[], cleared: readonly string[]): void {
    for (const place of [...this.#places.keys()]) if (!places.includes(place)) this.#places.delete(place);
    for (const place of places) if (!this.#places.has(place)) this.#places.set(place, { id: null, names: Object.fromEntries(cleared.map((name) => [name, 0])) });
  }

  /** A zone was published; `policy` is the policy its `_mta-sts` id stands for (the config's). */
  published(zone: DesiredZone, policy: { id: string; names: readonly string[] } | undefined): void {
    if (!policy || stsIdOf(zone) !== policy.id) return;
    this.#zones.set(zone.serial, { id: policy.id, names: policy.names });
    while (this.#zones.size > REMEMBERED_ZONES) this.#zones.delete(this.#zones.keys().next().value as number);
  }

  /**
   * `place` carries the zone of `serial` from `now` on (the nameserver swapped it in; a provider's
   * sync of it succeeded). True when that changes what the place carries (the holds change).
   */
  carried(place: string, serial: number, now: number): boolean {
    const entry = this.#places.get(place);
    const zone = this.#zones.get(serial);
    if (!entry) return false;
    const hadError = entry.error !== undefined;
    delete entry.error;
    if (!zone || zone.id === entry.id) return hadError;
    const names: Record<string, number> = {};
    for (const name of zone.names) names[name] = entry.names[name] ?? now;
    this.#places.set(place, { id: zone.id, since: now, names });
    return true;
  }

  /** `place`'s sync failed: it keeps what it carried; the error is shown until a sync succeeds. */
  failed(place: string, message: string, now: number): void {
    const entry = this.#places.get(place);
    if (entry) entry.error = { message, at: entry.error?.at ?? now };
  }

  /** Why `place` failed last, with the moment its failures began; undefined when it is fine. */
  error(place: string): { message: string; at: number } | undefined {
    return this.#places.get(place)?.error;
  }

  /** The view desired() takes (src/auth/transport.ts). */
  view(): StsPlace[] {
    return [...this.#places].map(([place, entry]) => ({ place, names: entry.names, ...(entry.error ? { error: entry.error.message } : {}) }));
  }

  api(): ApiStsPlace[] {
    return [...this.#places].map(([place, entry]) => ({ place, id: entry.id, since: entry.since ?? null, error: entry.error?.message ?? null, failingSince: entry.error?.at ?? null }));
  }

  toSave(): Record<string, SavedStsPlace> {
    return Object.fromEntries([...this.#places].map(([place, entry]) => [place, { id: entry.id, ...(entry.since !== undefined ? { since: entry.since } : {}), names: { ...entry.names } }]));
  }
}

/** The id in a zone's `_mta-sts` TXT, or undefined without one. */
export function stsIdOf(zone: DesiredZone): string | undefined {
  const set = zone.sets.find((s) => s.type === 'TXT' && s.name === `_mta-sts.${zone.zone}`);
  const value = set?.values[0]?.data;
  if (value?.type !== 'TXT') return undefined;
  return /(?:^|;)\s*id=([A-Za-z0-9]{1,32})\s*(?:;|$)/.exec(value.strings.join(''))?.[1];
}
