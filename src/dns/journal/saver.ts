// Writes the journals of every zone to stateDir/journal: at most once a `minGapMs` per burst of
// changes, in batches of `batch` files with the event loop free between them — a health change
// that touches 10,000 tenant zones must not stop the nameserver while 10,000 files are written.
// Files are replaced by rename without fsync (a journal is a cache: one lost, torn or stale after
// a power cut is refused by readJournal and costs each secondary one full transfer), which is what
// keeps 10,000 zones cheap: an fsync costs milliseconds, a rename microseconds. flush() writes what
// is pending at once (shutdown, a zone removed).
import type { Logger } from '../../log.ts';
import type { ZoneJournal } from './journal.ts';
import { writeJournal } from './file.ts';

export interface SaverOptions {
  stateDir: string;
  logger: Logger;
  minGapMs?: number;
  /** files written before the event loop gets a turn */
  batch?: number;
}

export class JournalSaver {
  readonly #options: SaverOptions;
  readonly #dirty = new Map<string, ZoneJournal>();
  #timer: NodeJS.Timeout | undefined;
  #draining = false;
  #writes = 0;

  constructor(options: SaverOptions) {
    this.#options = options;
  }

  /** Files written so far (tests, logs). */
  get writes(): number {
    return this.#writes;
  }

  /** The journal changed: it is written with the next batch. */
  mark(journal: ZoneJournal): void {
    this.#dirty.set(journal.zone, journal);
    if (this.#timer || this.#draining) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, this.#options.minGapMs ?? 1000);
    this.#timer.unref();
  }

  /** Writes one zone's pending journal now (a zone that stops being served). */
  flushZone(zone: string): void {
    const journal = this.#dirty.get(zone);
    if (!journal) return;
    this.#dirty.delete(zone);
    this.#write(journal);
  }

  /** Writes everything pending now (shutdown). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const journal of this.#dirty.values()) this.#write(journal);
    this.#dirty.clear();
  }

  #drain(): void {
    this.#draining = true;
    let left = this.#options.batch ?? 200;
    for (const [zone, journal] of this.#dirty) {
      if (left-- <= 0) break;
      this.#dirty.delete(zone);
      this.#write(journal);
    }
    if (this.#dirty.size > 0) setImmediate(() => this.#drain());
    else this.#draining = false;
  }

  #write(journal: ZoneJournal): void {
    try {
      writeJournal(this.#options.stateDir, journal);
      this.#writes++;
    } catch (error) {
      this.#options.logger.error({ err: (error as Error).message, zone: journal.zone }, 'could not write the journal; will retry on the next change');
    }
  }
}
