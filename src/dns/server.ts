// The authoritative nameserver: UDP and TCP on every `nameserver.listen` address, the zone swapped
// atomically (a whole new Engine per zone version), NOTIFY on every serial change, AXFR/IXFR to
// `transfer.allow`, and `workers` > 1 extra processes sharing the UDP ports (SO_REUSEPORT).
import { EventEmitter } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { Socket } from 'node:dgram';
import type { NameserverConfig } from '../config/schema.ts';
import type { DesiredZone } from '../model.ts';
import type { Logger } from '../log.ts';
import { Engine, type Handled } from './engine.ts';
import { bindUdp, formatEndpoint, parseEndpoint, listenTcp, plainAddress, type Endpoint, type TcpListener } from './listeners.ts';
import { transferMessages, refusedTransfer } from './transfer.ts';
import { Notifier } from './notify.ts';
import { notLoadedReply } from './notloaded.ts';
import type { ToWorker, FromWorker } from './worker-protocol.ts';

export interface DnsServerOptions {
  nameserver: NameserverConfig;
  zone: string;
  logger: Logger;
  random?: () => number;
  /** NOTIFY retry delays in ms (tests shorten them) */
  notifyDelays?: number[];
}

export interface QueryEvent {
  type: string;
  rcode: string;
  transport: 'udp' | 'tcp';
}

export class DnsServer extends EventEmitter {
  readonly #options: DnsServerOptions;
  readonly #random: () => number;
  readonly #logger: Logger;
  #engine: Engine | undefined;
  #udp: Socket[] = [];
  #tcp: TcpListener[] = [];
  #workers: ChildProcess[] = [];
  #notifier: Notifier | undefined;
  #notifiedSerial: number | undefined;
  #transfer: NameserverConfig['transfer'];
  #allow: Set<string>;

  constructor(options: DnsServerOptions) {
    super();
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger.child({ component: 'nameserver' });
    this.#transfer = options.nameserver.transfer;
    this.#allow = new Set(this.#transfer.allow.map(plainAddress));
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
      this.#notifyIfChanged();
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
      zone: this.#options.zone,
      targets: this.#transfer.notify,
      sources: { ...(v4 ? { v4: v4.host } : {}), ...(v6 ? { v6: v6.host } : {}) },
      logger: this.#logger,
      ...(this.#options.notifyDelays ? { delays: this.#options.notifyDelays } : {}),
    });
  }

  /**
   * New `transfer.allow` / `transfer.notify` (a config reload): the next AXFR is checked against
   * the new list; with new NOTIFY targets, every target is notified of the current serial (a
   * secondary added by the reload learns of the zone at once).
   */
  setTransfer(transfer: NameserverConfig['transfer']): void {
    const notifyChanged = JSON.stringify(transfer.notify) !== JSON.stringify(this.#transfer.notify);
    this.#transfer = transfer;
    this.#allow = new Set(transfer.allow.map(plainAddress));
    if (!notifyChanged || !this.#notifier) return;
    this.#notifier.stop();
    this.#notifier = this.#newNotifier();
    this.#notifiedSerial = undefined;
    this.#notifyIfChanged();
  }

  /** Swaps in a new zone version atomically; NOTIFY goes out when the serial changed. */
  setZone(zone: DesiredZone): void {
    this.#engine = new Engine(zone, this.#random);
    const message: ToWorker = { kind: 'zone', zone };
    for (const worker of this.#workers) if (worker.connected) worker.send(message);
    this.#notifyIfChanged();
  }

  /** NOTIFY for the current serial unless already sent (a zone set before start() is notified by start()). */
  #notifyIfChanged(): void {
    const serial = this.#engine?.zone.serial;
    if (!this.#notifier || serial === undefined || serial === this.#notifiedSerial) return;
    this.#notifiedSerial = serial;
    this.#notifier.notify(serial);
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
    for (const worker of this.#workers) worker.kill('SIGTERM');
    await Promise.all(this.#workers.map((w) => (w.exitCode !== null || w.signalCode !== null ? undefined : new Promise((resolve) => w.once('exit', resolve)))));
    this.#workers = [];
    for (const socket of this.#udp) socket.close();
    await Promise.all(this.#tcp.map((listener) => listener.close()));
    this.#udp = [];
    this.#tcp = [];
  }

  #emit(handled: Handled, transport: 'udp' | 'tcp'): void {
    if (this.listenerCount('query') > 0) this.emit('query', { type: handled.type, rcode: handled.rcode, transport } satisfies QueryEvent);
  }

  #onUdp(msg: Buffer, socket: Socket, port: number, address: string): void {
    const engine = this.#engine;
    let handled: Handled | undefined;
    try {
      handled = engine ? engine.handle(msg, 'udp') : notLoadedReply(msg);
    } catch (error) {
      this.#logger.error({ err: error }, 'internal error answering a UDP query; dropped');
      return;
    }
    if (!handled?.reply) return;
    socket.send(handled.reply, port, address);
    this.#emit(handled, 'udp');
  }

  #onTcp(msg: Buffer, remote: string): Buffer[] {
    const engine = this.#engine;
    const handled = engine ? engine.handle(msg, 'tcp') : notLoadedReply(msg);
    if (!handled) return [];
    this.#emit(handled, 'tcp');
    if (handled.transfer && engine) {
      if (!this.#allow.has(plainAddress(remote))) {
        this.#logger.warn({ remote, kind: handled.transfer.kind }, 'zone transfer refused: address not in nameserver.transfer.allow');
        return [refusedTransfer(handled.transfer.query)];
      }
      this.#logger.info({ remote, kind: handled.transfer.kind, serial: engine.zone.serial }, 'zone transfer');
      return transferMessages(engine.index, handled.transfer.query, handled.transfer.kind);
    }
    return handled.reply ? [handled.reply] : [];
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
          for (const [type, rcode, count] of message.counts) for (let n = 0; n < count; n++) this.emit('query', { type, rcode, transport: 'udp' } satisfies QueryEvent);
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
      const start: ToWorker = { kind: 'start', listen, ...(this.#engine ? { zone: this.#engine.zone } : {}) };
      worker.send(start);
    }
    await Promise.all(ready);
  }
}
