// The journal of one zone: the differences between its successive serials, newest last, bounded by
// a count of versions and a size in octets. When a bound is passed the oldest differences go, and a
// secondary older than what is left gets the whole zone — never a wrong incremental answer.
// Holds the latest version too, so the next one can be diffed against it.
import type { DesiredZone } from '../../model.ts';
import { serialBefore } from '../serial.ts';
import { composeDiffs, diffVersions, versionOf, type ZoneDiff, type ZoneVersion } from './diff.ts';
import { diffOctets } from './size.ts';

export interface JournalLimits {
  /** differences kept; 0 turns IXFR into the full zone always */
  maxVersions: number;
  /** octets of the kept differences (wire size estimate) */
  maxBytes: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { maxVersions: 100, maxBytes: 1 << 20 };

export type JournalEvent =
  | { kind: 'recorded'; diff: ZoneDiff; dropped: number }
  | { kind: 'unchanged' }
  /** history no longer valid (serial went back, or same serial with other content): kept nothing */
  | { kind: 'reset'; reason: string };

export class ZoneJournal {
  readonly zone: string;
  readonly #limits: JournalLimits;
  #latest: ZoneVersion | undefined;
  #diffs: { diff: ZoneDiff; octets: number }[] = [];
  #octets = 0;
  /** condensed answers for the current version, by the client's serial (all secondaries ask alike) */
  #condensed = new Map<number, ZoneDiff>();

  constructor(zone: string, limits: JournalLimits = DEFAULT_JOURNAL_LIMITS) {
    this.zone = zone;
    this.#limits = limits;
  }

  get serial(): number | undefined {
    return this.#latest?.serial;
  }

  get latest(): ZoneVersion | undefined {
    return this.#latest;
  }

  get diffs(): readonly ZoneDiff[] {
    return this.#diffs.map((entry) => entry.diff);
  }

  get octets(): number {
    return this.#octets;
  }

  /** Serials a client may hold and still get an incremental answer (oldest first). */
  get oldestSerial(): number | undefined {
    return this.#diffs[0]?.diff.from ?? this.#latest?.serial;
  }

  /** Takes a new version of the zone; returns what the journal did with it. */
  record(zone: DesiredZone): JournalEvent {
    // built on the latest version: the sets that did not change keep their records (diff.ts)
    return this.recordVersion(versionOf(zone, this.#latest));
  }

  recordVersion(next: ZoneVersion): JournalEvent {
    const previous = this.#latest;
    this.#latest = next;
    this.#condensed.clear();
    if (!previous) return { kind: 'unchanged' };
    if (next.serial === previous.serial) {
      if (sameRecords(previous, next)) return { kind: 'unchanged' };
      return this.#reset(`serial ${next.serial} published again with other records`);
    }
    if (!serialBefore(previous.serial, next.serial)) return this.#reset(`serial went from ${previous.serial} to ${next.serial}`);
    const diff = diffVersions(previous, next);
    const octets = diffOctets(this.zone, diff);
    this.#diffs.push({ diff, octets });
    this.#octets += octets;
    let dropped = 0;
    while (this.#diffs.length > 0 && (this.#diffs.length > this.#limits.maxVersions || this.#octets > this.#limits.maxBytes)) {
      this.#octets -= (this.#diffs.shift() as { octets: number }).octets;
      dropped++;
    }
    return { kind: 'recorded', diff, dropped };
  }

  /** Loads history (from the state directory): differences ending at `latest`. */
  restore(latest: ZoneVersion, diffs: readonly ZoneDiff[]): void {
    this.#latest = latest;
    this.#condensed.clear();
    this.#diffs = diffs.map((diff) => ({ diff, octets: diffOctets(this.zone, diff) }));
    this.#octets = this.#diffs.reduce((sum, entry) => sum + entry.octets, 0);
    while (this.#diffs.length > this.#limits.maxVersions || this.#octets > this.#limits.maxBytes) this.#octets -= (this.#diffs.shift() as { octets: number }).octets;
  }

  /** The condensed difference from `serial` to the latest version, or undefined when not kept. */
  changesSince(serial: number): ZoneDiff | undefined {
    const cached = this.#condensed.get(serial);
    if (cached) return cached;
    const start = this.#diffs.findIndex((entry) => entry.diff.from === serial);
    if (start < 0) return undefined;
    const condensed = composeDiffs(this.#diffs.slice(start).map((entry) => entry.diff));
    if (this.#condensed.size >= 16) this.#condensed.clear();
    this.#condensed.set(serial, condensed);
    return condensed;
  }

  #reset(reason: string): JournalEvent {
    this.#diffs = [];
    this.#octets = 0;
    return { kind: 'reset', reason };
  }
}

function sameRecords(a: ZoneVersion, b: ZoneVersion): boolean {
  if (a.records.size !== b.records.size) return false;
  for (const key of a.records.keys()) if (!b.records.has(key)) return false;
  return true;
}
