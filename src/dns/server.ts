// The authoritative nameserver: every zone (the top-level zone and the tenant zones) on the same
// UDP and TCP listeners of `nameserver.listen`; each zone's version swapped atomically (a query sees
// one version of its zone, never a mix), NOTIFY per zone on every serial change (TSIG-signed for a
// keyed target), AXFR/IXFR of any zone to `transfer.allow` (src/dns/xfr: each zone's journal, TSIG),
// and `workers` > 1 extra processes sharing the UDP ports (SO_REUSEPORT).
import { fork, type ChildProcess } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { Socket } from 'node:dgram';
import type { DesiredZone } from '../model.ts';
import type { Logger } from '../log.ts';
import { Engine, type Handled } from './engine.ts';
import type { FastEntry } from './wire.ts';
import { bindUdp, formatEndpoint, parseEndpoint, listenTcp, type Endpoint, type TcpListener } from './listeners.ts';
import { Notifier } from './notify.ts';
import { TransferGate } from './xfr/gate.ts';
import type { AllowEntry } from './xfr/access.ts';
import { DEFAULT_JOURNAL_LIMITS, type JournalLimits } from './journal/journal.ts';
import { handleSigned, udpTransferLimit, type VerifiedRequest } from './xfr/signed.ts';
import { keyring, type TsigKey, type TsigKeyring } from './tsig/keys.ts';
import { notLoadedReply } from './notloaded.ts';
import type { ToWorker, FromWorker } from './worker-protocol.ts';
import { QueryCounts, type QueryCount } from './query-counts.ts';

export type { QueryCount } from './query-counts.ts';

/** What the server needs of `nameserver:` (plain values: src/dns does not depend on the config module). */
export interface NameserverSettings {
  listen: readonly string[];
  /** an entry with a key: requests from that address must be signed with it / its NOTIFY is signed */
  transfer: { allow: readonly (string | AllowEntry)[]; notify: readonly (string | { address: string; key: string })[] };
  workers: number;
  /** the IXFR journal's bounds per zone (default: 100 versions, 1 MiB) */
  journal?: JournalLimits;
}

export interface DnsServerOptions {
  nameserver: NameserverSettings;
  /** the top-level zone (logs only: the zones served are the ones set) */
  zone?: string;
  logger: Logger;
  random?: () => number;
  /** NOTIFY retry delays in ms (tests shorten them) */
  notifyDelays?: number[];
  /** TSIG keys of nameserver.tsig, secrets resolved (src/daemon/tsig-secrets.ts) */
  keys?: TsigKeyring;
  /** where the IXFR journal persists (stateDir); none: memory only */
  stateDir?: string;
  /** ms since the epoch (TSIG times, journal writes); tests skew it */
  now?: () => number;
}

export class DnsServer {
  readonly #options: DnsServerOptions;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #engine: Engine;
  #udp: Socket[] = [];
  #tcp: TcpListener[] = [];
  #workers: ChildProcess[] = [];
  #notifier: Notifier | undefined;
  /** zone -> the serial NOTIFY went out for */
  readonly #notified = new Map<string, number>();
  #transfer: NameserverSettings['transfer'];
  readonly #gate: TransferGate;
  readonly #keys: TsigKeyring;
  readonly #now: () => number;
  readonly #counts = new QueryCounts();

  constructor(options: DnsServerOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger.child({ component: 'nameserver' });
    this.#keys = options.keys ?? keyring([]);
    this.#now = options.now ?? Date.now;
    this.#transfer = options.nameserver.transfer;
    this.#checkKeys(this.#transfer);
    this.#gate = new TransferGate({
      allow: this.#transfer.allow,
      journal: options.nameserver.journal ?? DEFAULT_JOURNAL_LIMITS,
      ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
      logger: this.#logger,
      now: this.#now,
    });
    this.#engine = new Engine([], this.#random);
  }

  async start(): Promise<void> {
    const endpoints: Endpoint[] = this.#options.nameserver.listen.map(parseEndpoint);
    const workers = this.#options.nameserver.workers;
    try {
      for (const endpoint of endpoints) {
        const udp = await bindUdp(endpoint, workers > 1, (msg, socket, port, address) => this.#onUdp(msg, socket, port, address));
        const actual = { host: endpoint.host, port: udp.address().port };
        this.#udp.push(udp);
        this.#tcp.push(await listenTcp(actual, { idleMs: 10_000, maxConnections: 256, onMessage: (msg, remote) => this.#onTcp(msg, remote) }));
      }
      this.#notifier = this.#newNotifier();
      if (workers > 1) await this.#startWorkers(workers - 1);
      for (const version of this.#engine.versions()) this.#notifyIfChanged(version.zone);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#logger.info({ ...this.listening(), workers }, 'nameserver listening');
  }

  #newNotifier(): Notifier {
    const endpoints = this.#options.nameserver.listen.map(parseEndpoint);
    const v4 = endpoints.find((e) => !isIPv6(e.host));
    const v6 = endpoints.find((e) => isIPv6(e.host));
    return new Notifier({
      targets: this.#transfer.notify.map((entry) => (typeof entry === 'string' ? { address: entry } : { address: entry.address, key: this.#key(entry.key) })),
      now: this.#now,
      sources: { ...(v4 ? { v4: v4.host } : {}), ...(v6 ? { v6: v6.host } : {}) },
      logger: this.#logger,
      ...(this.#options.notifyDelays ? { delays: this.#options.notifyDelays } : {}),
    });
  }

  /**
   * New `transfer.allow` / `transfer.notify` (a config reload): the next AXFR/IXFR is checked
   * against the new list (keys included); with new NOTIFY targets, every target is notified of every
   * zone's current serial (a secondary added by the reload learns of the zones at once). The keys
   * they name are among the loaded ones: nameserver.tsig itself needs a restart (secrets are read at
   * start).
   */
  setTransfer(transfer: NameserverSettings['transfer']): void {
    this.#checkKeys(transfer);
    const notifyChanged = JSON.stringify(transfer.notify) !== JSON.stringify(this.#transfer.notify);
    this.#transfer = transfer;
    this.#gate.setAllow(transfer.allow);
    if (!notifyChanged || !this.#notifier) return;
    this.#notifier.stop();
    this.#notifier = this.#newNotifier();
    this.#notified.clear();
    for (const version of this.#engine.versions()) this.#notifyIfChanged(version.zone);
  }

  /** Swaps in a new version of one zone (or adds the zone); NOTIFY goes out when its serial changed. */
  setZone(zone: DesiredZone): void {
    this.setZones([zone]);
  }

  /**
   * Swaps in new versions of these zones (adding the ones not served yet); the other zones stay as
   * they are. With `replaceAll`, the zones not listed stop being served (a reload's whole set).
   * Each new version goes into its zone's journal (IXFR).
   */
  setZones(zones: readonly DesiredZone[], options: { replaceAll?: boolean } = {}): void {
    const removed: string[] = [];
    if (options.replaceAll) {
      const keep = new Set(zones.map((zone) => zone.zone));
      for (const version of [...this.#engine.versions()]) if (!keep.has(version.zone.zone)) removed.push(version.zone.zone);
      for (const name of removed) this.#forget(name);
    }
    for (const zone of zones) {
      this.#engine.set(zone);
      this.#gate.zoneChanged(zone);
    }
    const message: ToWorker = { kind: 'zones', zones: [...zones], removed };
    for (const worker of this.#workers) if (worker.connected) worker.send(message);
    for (const zone of zones) this.#notifyIfChanged(zone);
  }

  /** Stops serving a zone. */
  removeZone(zone: string): void {
    this.removeZones([zone]);
  }

  /** Stops serving these zones (a reload removed them): one message to the workers for all of them. */
  removeZones(zones: readonly string[]): void {
    const removed = zones.filter((zone) => this.#forget(zone));
    if (removed.length === 0) return;
    const message: ToWorker = { kind: 'zones', zones: [], removed };
    for (const worker of this.#workers) if (worker.connected) worker.send(message);
  }

  /** The zones served now, by name. */
  zones(): string[] {
    return [...this.#engine.versions()].map((version) => version.zone.zone);
  }

  #forget(zone: string): boolean {
    this.#notified.delete(zone);
    this.#notifier?.forget(zone);
    this.#gate.forget(zone);
    return this.#engine.remove(zone);
  }

  /** Every key a transfer.allow / transfer.notify entry names is loaded (the config rules check the names). */
  #checkKeys(transfer: NameserverSettings['transfer']): void {
    for (const entry of [...transfer.allow, ...transfer.notify]) if (typeof entry !== 'string' && entry.key !== undefined) this.#key(entry.key);
  }

  #key(name: string): TsigKey {
    const key = this.#keys.get(name);
    if (!key) throw new Error(`TSIG key ${name} named in nameserver.transfer is not among the loaded keys`);
    return key;
  }

  /** NOTIFY for the zone's serial unless already sent (zones set before start() are notified by start()). */
  #notifyIfChanged(zone: DesiredZone): void {
    if (!this.#notifier || this.#notified.get(zone.zone) === zone.serial) return;
    this.#notified.set(zone.zone, zone.serial);
    this.#notifier.notify(zone.zone, zone.serial);
  }

  listening(): { udp: string[]; tcp: string[] } {
    const describe = (address: { address: string; port: number }) => formatEndpoint({ host: address.address, port: address.port });
    return {
      udp: this.#udp.map((s) => describe(s.address())),
      tcp: this.#tcp.map((l) => describe(l.server.address() as { address: string; port: number })),
    };
  }

  async stop(): Promise<void> {
    this.#notifier?.stop();
    this.#gate.flush();
    for (const worker of this.#workers) worker.kill('SIGTERM');
    await Promise.all(this.#workers.map((w) => (w.exitCode !== null || w.signalCode !== null ? undefined : new Promise((resolve) => w.once('exit', resolve)))));
    this.#workers = [];
    for (const socket of this.#udp) socket.close();
    await Promise.all(this.#tcp.map((listener) => listener.close()));
    this.#udp = [];
    this.#tcp = [];
  }

  /** Queries answered so far (the worker processes' included, as of their last report, at most 1 s old). */
  queryCounts(): QueryCount[] {
    return this.#counts.entries();
  }

  #onUdp(msg: Buffer, socket: Socket, port: number, address: string): void {
    const engine = this.#engine;
    let fast: Buffer | undefined;
    let replies: Buffer[] = [];
    let handled: Handled | undefined;
    try {
      // most queries: a learnt template, with nothing allocated but the reply
      fast = engine.size > 0 ? engine.answerFast(msg) : undefined;
      if (!fast) {
        handled = engine.size > 0 ? engine.handle(msg, 'udp', true) : notLoadedReply(msg);
        replies = handled && engine.size > 0 ? this.#answer(engine, msg, handled, 'udp', address) : handled?.reply ? [handled.reply] : [];
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'internal error answering a UDP query; dropped');
      return;
    }
    if (fast) {
      socket.send(fast, port, address);
      this.#counts.addTemplateHit(engine.lastFast as FastEntry);
      return;
    }
    if (!handled) return;
    for (const reply of replies) socket.send(reply, port, address);
    if (replies.length > 0) this.#counts.add(handled.type, handled.rcode, 'udp');
  }

  #onTcp(msg: Buffer, remote: string): Buffer[] {
    const engine = this.#engine;
    const handled = engine.size > 0 ? engine.handle(msg, 'tcp') : notLoadedReply(msg);
    if (!handled) return [];
    this.#counts.add(handled.type, handled.rcode, 'tcp');
    return engine.size > 0 ? this.#answer(engine, msg, handled, 'tcp', remote) : handled.reply ? [handled.reply] : [];
  }

  /** Signed messages (TSIG) and transfers; everything else is the engine's reply as it stands. */
  #answer(engine: Engine, msg: Buffer, handled: Handled, transport: 'udp' | 'tcp', remote: string): Buffer[] {
    let transfer = handled.transfer;
    let check: VerifiedRequest | undefined;
    if (handled.signed) {
      const outcome = handleSigned(engine, msg, handled.signed.query, transport, this.#keys, Math.floor(this.#now() / 1000));
      if (outcome.kind === 'reply') {
        if (outcome.refused) this.#logger.warn({ remote, transport, type: handled.type }, `signed request refused: ${outcome.refused}`);
        return [outcome.reply];
      }
      transfer = { query: outcome.query, kind: outcome.transfer, version: outcome.version };
      check = outcome.check;
    }
    if (!transfer) return handled.reply ? [handled.reply] : [];
    return this.#gate.transfer({
      index: transfer.version.index,
      query: transfer.query,
      kind: transfer.kind,
      remote,
      ...(check ? { check } : {}),
      ...(transport === 'udp' ? { udpLimit: udpTransferLimit(transfer.query, check) } : {}),
    });
  }

  async #startWorkers(count: number): Promise<void> {
    const listen = this.#udp.map((s) => ({ host: s.address().address, port: s.address().port }));
    const entry = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const worker = fork(entry, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.#workers.push(worker);
      worker.on('message', (message: FromWorker) => {
        if (message.kind === 'stats') {
          for (const [type, rcode, count] of message.counts) this.#counts.add(type, rcode, 'udp', count);
        }
      });
      worker.on('exit', (code, signal) => {
        if (this.#workers.includes(worker)) this.#logger.error({ code, signal, worker: i }, 'nameserver worker exited');
      });
      ready.push(new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('a nameserver worker did not start within 10 s')), 10_000);
        worker.on('message', (message: FromWorker) => {
          if (message.kind === 'ready') {
            clearTimeout(timer);
            resolve();
          }
          if (message.kind === 'failed') {
            clearTimeout(timer);
            reject(new Error(`nameserver worker: ${message.error}`));
          }
        });
      }));
      // the workers answer signed UDP queries too: they get the keys over the IPC channel (never logged)
      const keys = [...this.#keys.values()].map((key) => ({ name: key.name, algorithm: key.algorithm, secret: key.secret.toString('base64') }));
      const start: ToWorker = { kind: 'start', listen, keys, zones: [...this.#engine.versions()].map((version) => version.zone) };
      worker.send(start);
    }
    await Promise.all(ready);
  }
}
