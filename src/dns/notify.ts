// NOTIFY (RFC 1996) to the secondaries in `transfer.notify` whenever a zone's serial changes: sent
// over UDP from the nameserver's own address (secondaries check the source against allow-notify),
// TSIG-signed when the entry names a key, retried with doubling delays until the secondary answers
// (with a verified signature, when signed), abandoned when a newer serial of the same zone
// supersedes it. Many zones: one socket per address family, at most `maxInFlight`
// NOTIFYs awaiting an answer at once (the rest queue), so a health change that touches 10,000
// tenant zones neither opens 10,000 sockets nor floods a secondary.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import type { Logger } from '../log.ts';
import { parseEndpoint } from './listeners.ts';
import { decodeQuery } from './query.ts';
import type { TsigKey } from './tsig/keys.ts';
import { signMessage } from './tsig/mac.ts';
import { StreamVerifier } from './tsig/stream.ts';
import { OPCODE, RCODE, TYPE, CLASS } from './constants.ts';
import { nameLabels, Writer } from './writer.ts';

/** A secondary: address:port, and the TSIG key its NOTIFY is signed with (its answer must verify). */
export interface NotifyTarget {
  address: string;
  key?: TsigKey;
}

export interface NotifyOptions {
  targets: NotifyTarget[];
  /** local addresses to send from, one per family (the first listen address of each) */
  sources: { v4?: string; v6?: string };
  logger: Logger;
  /** delays between attempts (ms); the default tries 6 times over about 30 s */
  delays?: number[];
  /** NOTIFYs awaiting an answer at once (default 64) */
  maxInFlight?: number;
  /** ms since the epoch, for TSIG */
  now?: () => number;
}

interface Job {
  zone: string;
  serial: number;
  target: string;
  host: string;
  port: number;
  generation: number;
  attempt: number;
  key?: TsigKey;
}

interface Waiting {
  job: Job;
  timer: NodeJS.Timeout;
  /** the MAC of the signed NOTIFY: the answer is signed over it */
  mac?: Buffer;
}

export class Notifier {
  readonly #options: NotifyOptions;
  readonly #delays: number[];
  readonly #maxInFlight: number;
  /** zone -> generation of its latest serial (older rounds stop) */
  readonly #generations = new Map<string, number>();
  #nextGeneration = 0;
  readonly #queue: Job[] = [];
  readonly #waiting = new Map<number, Waiting>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #sockets = new Map<'v4' | 'v6', Promise<Socket | undefined>>();
  /** target -> zones whose NOTIFY was never acknowledged, logged together */
  readonly #unacknowledged = new Map<string, { zone: string; serial: number }[]>();
  #summaryTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: NotifyOptions) {
    this.#options = options;
    this.#delays = options.delays ?? [1000, 2000, 4000, 8000, 16000];
    this.#maxInFlight = options.maxInFlight ?? 64;
  }

  /** NOTIFYs currently waiting for an answer or queued (for tests and logs). */
  get pending(): number {
    return this.#waiting.size + this.#queue.length;
  }

  /** Notifies every target of `zone` at `serial`; earlier rounds for that zone still retrying stop. */
  notify(zone: string, serial: number): void {
    if (this.#stopped) return;
    const generation = ++this.#nextGeneration;
    this.#generations.set(zone, generation);
    for (const target of this.#options.targets) {
      let endpoint;
      try {
        endpoint = parseEndpoint(target.address);
      } catch {
        continue;
      }
      this.#queue.push({ zone, serial, target: target.address, host: endpoint.host, port: endpoint.port, generation, attempt: 0, ...(target.key ? { key: target.key } : {}) });
    }
    this.#pump();
  }

  /** A zone no longer served: its retries stop. */
  forget(zone: string): void {
    this.#generations.delete(zone);
  }

  stop(): void {
    this.#stopped = true;
    this.#generations.clear();
    this.#queue.length = 0;
    for (const waiting of this.#waiting.values()) clearTimeout(waiting.timer);
    this.#waiting.clear();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    if (this.#summaryTimer) clearTimeout(this.#summaryTimer);
    for (const socket of this.#sockets.values()) void socket.then((s) => s?.close());
    this.#sockets.clear();
  }

  #seconds(): number {
    return Math.floor((this.#options.now ?? Date.now)() / 1000);
  }

  #current(job: Job): boolean {
    return !this.#stopped && this.#generations.get(job.zone) === job.generation;
  }

  #pump(): void {
    while (this.#waiting.size < this.#maxInFlight && this.#queue.length > 0) {
      const job = this.#queue.shift() as Job;
      if (!this.#current(job)) continue;
      this.#send(job);
    }
  }

  #send(job: Job): void {
    let id = randomInt(0, 0x10000);
    while (this.#waiting.has(id)) id = (id + 1) & 0xffff;
    const timeout = Math.min(this.#delays[job.attempt] ?? 2000, 2000);
    const timer = setTimeout(() => this.#finish(id, 'timeout'), timeout);
    const unsigned = notifyMessage(id, job.zone);
    const signed = job.key ? signMessage(unsigned, { key: job.key, now: this.#seconds() }) : undefined;
    this.#waiting.set(id, { job, timer, ...(signed ? { mac: signed.mac } : {}) });
    void this.#socket(isIPv6(job.host) ? 'v6' : 'v4').then((socket) => {
      if (!socket || !this.#waiting.has(id)) return this.#finish(id, 'no socket to send from');
      socket.send(signed?.message ?? unsigned, job.port, job.host, (error) => {
        if (error) this.#finish(id, `error: ${error.message}`);
      });
    });
  }

  #finish(id: number, outcome: string): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.#waiting.delete(id);
    const { job } = waiting;
    const log = this.#options.logger;
    if (outcome === 'acknowledged') {
      log.debug({ zone: job.zone, serial: job.serial, secondary: job.target, attempt: job.attempt + 1 }, 'NOTIFY acknowledged');
    } else if (this.#current(job)) {
      log.debug({ zone: job.zone, serial: job.serial, secondary: job.target, attempt: job.attempt + 1, outcome }, 'NOTIFY not acknowledged');
      const delay = this.#delays[job.attempt];
      if (delay === undefined) this.#giveUp(job);
      else {
        const retry = setTimeout(() => {
          this.#timers.delete(retry);
          if (!this.#current(job)) return;
          this.#queue.push({ ...job, attempt: job.attempt + 1 });
          this.#pump();
        }, delay);
        this.#timers.add(retry);
      }
    }
    this.#pump();
  }

  /** The secondary never answered: one warning per secondary for the zones that failed together. */
  #giveUp(job: Job): void {
    const zones = this.#unacknowledged.get(job.target) ?? [];
    zones.push({ zone: job.zone, serial: job.serial });
    this.#unacknowledged.set(job.target, zones);
    this.#summaryTimer ??= setTimeout(() => {
      this.#summaryTimer = undefined;
      for (const [target, failed] of this.#unacknowledged) {
        const first = failed[0] as { zone: string; serial: number };
        const what = failed.length === 1 ? `zone ${first.zone} (serial ${first.serial})` : `${failed.length} zones (${failed.slice(0, 3).map((f) => f.zone).join(', ')}${failed.length > 3 ? ', ...' : ''})`;
        this.#options.logger.warn({ secondary: target, zones: failed.length, zone: first.zone, serial: first.serial }, `secondary never acknowledged NOTIFY for ${what}; it will still refresh on its SOA timer`);
      }
      this.#unacknowledged.clear();
    }, 1000);
  }

  #socket(family: 'v4' | 'v6'): Promise<Socket | undefined> {
    let socket = this.#sockets.get(family);
    if (!socket) {
      socket = this.#open(family);
      this.#sockets.set(family, socket);
    }
    return socket;
  }

  #open(family: 'v4' | 'v6'): Promise<Socket | undefined> {
    const source = this.#options.sources[family];
    const socket = createSocket(family === 'v6' ? 'udp6' : 'udp4');
    socket.on('message', (msg, remote) => {
      const decoded = decodeQuery(msg);
      if (!decoded.ok || !decoded.query.response || decoded.query.opcode !== OPCODE.NOTIFY) return;
      const waiting = this.#waiting.get(decoded.query.id);
      // only the secondary asked may answer (an answer from elsewhere is ignored, not trusted)
      if (!waiting || remote.address.toLowerCase() !== waiting.job.host.toLowerCase()) return;
      const zone = decoded.query.question.lower.join('.');
      if (zone !== waiting.job.zone) return;
      if (waiting.job.key && waiting.mac) {
        // RFC 8945: the answer to a signed NOTIFY is signed; one that does not verify acknowledges nothing
        const check = new StreamVerifier(waiting.job.key, waiting.mac, () => this.#seconds()).verify(msg);
        if (!check.ok) return this.#finish(decoded.query.id, `TSIG: ${check.reason}`);
      }
      this.#finish(decoded.query.id, decoded.query.rcode === RCODE.NOERROR ? 'acknowledged' : `rcode ${decoded.query.rcode}`);
    });
    return new Promise((resolve) => {
      socket.once('error', (error) => {
        this.#options.logger.error({ err: error.message, source }, 'cannot open the NOTIFY socket');
        resolve(undefined);
      });
      socket.bind({ address: source ?? (family === 'v6' ? '::' : '0.0.0.0'), port: 0 }, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined); // an ICMP error for one secondary must not close it for all
        resolve(socket);
      });
    });
  }
}

/** A NOTIFY request: opcode 4, AA set, one question (zone SOA IN), QR clear. */
export function notifyMessage(id: number, zone: string): Buffer {
  const w = new Writer(128);
  w.u16(id);
  w.u16((OPCODE.NOTIFY << 11) | 0x0400);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  w.name(nameLabels(zone));
  w.u16(TYPE.SOA);
  w.u16(CLASS.IN);
  return w.result();
}
