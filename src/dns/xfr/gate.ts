// Zone transfers for the nameserver: who may transfer (transfer.allow, with or without a TSIG key),
// each zone's journal (recorded on every new version, restored from and written to stateDir), and
// the answer itself — AXFR, IXFR from the journal, signed message by message when the request was.
import type { DesiredZone } from '../../model.ts';
import type { Logger } from '../../log.ts';
import type { Query } from '../query.ts';
import type { ZoneIndex } from '../zoneindex.ts';
import { refusedTransfer, transferMessages, type Transfer } from '../transfer.ts';
import { ZoneJournal, type JournalLimits } from '../journal/journal.ts';
import { readJournal } from '../journal/file.ts';
import { JournalSaver } from '../journal/saver.ts';
import { StreamSigner } from '../tsig/stream.ts';
import { signAnswer } from '../tsig/respond.ts';
import { TransferAccess, type AllowEntry } from './access.ts';
import type { VerifiedRequest } from './signed.ts';

export interface GateOptions {
  allow: readonly (string | AllowEntry)[];
  journal: JournalLimits;
  /** where journals persist; none: memory only */
  stateDir?: string;
  logger: Logger;
  /** ms since the epoch */
  now: () => number;
}

export interface TransferRequest {
  index: ZoneIndex;
  query: Query;
  kind: 'axfr' | 'ixfr';
  remote: string;
  /** the verified TSIG of the request, when it was signed */
  check?: VerifiedRequest;
  /** UDP (IXFR only): the one message may be this large */
  udpLimit?: number;
}

export class TransferGate {
  readonly #options: GateOptions;
  #access: TransferAccess;
  readonly #journals = new Map<string, ZoneJournal>();
  readonly #saver: JournalSaver | undefined;

  constructor(options: GateOptions) {
    this.#options = options;
    this.#access = new TransferAccess(options.allow);
    const { stateDir } = options;
    this.#saver = stateDir !== undefined && options.journal.maxVersions > 0 ? new JournalSaver({ stateDir, logger: options.logger }) : undefined;
  }

  /** A reload's new transfer.allow: the next request is decided by it. */
  setAllow(allow: readonly (string | AllowEntry)[]): void {
    this.#access = new TransferAccess(allow);
  }

  journal(zone: string): ZoneJournal | undefined {
    return this.#journals.get(zone);
  }

  /**
   * A new version of a zone (or the first one): into its journal, and to disk soon. No journal is
   * kept while nobody may transfer (transfer.allow empty) or `maxVersions` is 0: thousands of tenant
   * zones without secondaries cost nothing here.
   */
  zoneChanged(zone: DesiredZone): void {
    let journal = this.#journals.get(zone.zone);
    if (!journal) {
      if (this.#options.journal.maxVersions === 0 || !this.#access.anyone) return;
      journal = this.#open(zone.zone);
    }
    const event = journal.record(zone);
    const log = this.#options.logger;
    if (event.kind === 'reset') log.warn({ zone: zone.zone, serial: zone.serial }, `journal restarted: ${event.reason}; secondaries get one full transfer`);
    if (event.kind === 'recorded') {
      log.debug({ zone: zone.zone, from: event.diff.from, to: event.diff.to, deleted: event.diff.deleted.length, added: event.diff.added.length, dropped: event.dropped, kept: journal.diffs.length }, 'journal: new version');
    }
    if (event.kind !== 'unchanged' || journal.diffs.length === 0) this.#saver?.mark(journal);
  }

  /** The answer to AXFR/IXFR: refused, or the messages of the transfer (signed when the request was). */
  transfer(request: TransferRequest): Buffer[] {
    const { query, kind, remote, check, index } = request;
    const log = this.#options.logger;
    const decision = this.#access.decide(remote, check?.key.name);
    const udp = request.udpLimit !== undefined;
    let result: Transfer;
    if (!decision.allowed) {
      if (!udp) {
        log.warn({ remote, kind, zone: index.zone, ...(check ? { key: check.key.name } : {}) }, `zone transfer refused: ${decision.reason}`);
        const refused = refusedTransfer(query);
        return [check ? signAnswer(refused, check, this.#seconds()) : refused];
      }
      // over UDP an IXFR is answered with the SOA alone, as any client may ask for the SOA
      result = transferMessages(index, query, 'ixfr', { udpLimit: request.udpLimit as number });
    } else {
      result = transferMessages(index, query, kind, { journal: this.journal(index.zone), ...(udp ? { udpLimit: request.udpLimit as number } : {}) });
    }
    const signer = check ? new StreamSigner(check.key, check.record.mac, () => this.#seconds()) : undefined;
    const messages = signer ? result.messages.map((message) => signer.sign(message)) : result.messages;
    if (decision.allowed) {
      const bytes = messages.reduce((sum, message) => sum + message.length, 0);
      log.info({ remote, zone: index.zone, kind, form: result.form, serial: index.serial, ...(result.from !== undefined ? { from: result.from } : {}), records: result.records, messages: messages.length, bytes, transport: udp ? 'udp' : 'tcp', ...(check ? { key: check.key.name } : {}) }, 'zone transfer');
    }
    return messages;
  }

  /** A zone no longer served: its journal leaves memory (its file stays, and is checked if it comes back). */
  forget(zone: string): void {
    this.#saver?.flushZone(zone);
    this.#journals.delete(zone);
  }

  /** Writes every journal with unsaved changes (shutdown). */
  flush(): void {
    this.#saver?.flush();
  }

  #open(zone: string): ZoneJournal {
    const journal = new ZoneJournal(zone, this.#options.journal);
    const stateDir = this.#options.stateDir;
    if (stateDir !== undefined) {
      const loaded = readJournal(stateDir, zone, this.#options.logger);
      if (loaded) {
        journal.restore(loaded.latest, loaded.diffs);
        this.#options.logger.info({ zone, serial: loaded.latest.serial, differences: journal.diffs.length, oldest: journal.oldestSerial }, 'journal restored from the state directory');
      }
    }
    this.#journals.set(zone, journal);
    return journal;
  }

  #seconds(): number {
    return Math.floor(this.#options.now() / 1000);
  }
}
