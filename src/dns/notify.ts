// NOTIFY (RFC 1996) to the secondaries in `transfer.notify` on every serial change: sent over UDP
// from the nameserver's own address (secondaries check the source against allow-notify), retried
// with doubling delays until the secondary answers, abandoned when a newer serial supersedes it.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import type { Logger } from '../log.ts';
import { parseHostPort } from '../config/schema.ts';
import { decodeQuery } from './query.ts';
import { OPCODE, RCODE, TYPE, CLASS } from './constants.ts';
import { nameLabels, Writer } from './writer.ts';

export interface NotifyOptions {
  zone: string;
  targets: string[];
  /** local addresses to send from, one per family (the first listen address of each) */
  sources: { v4?: string; v6?: string };
  logger: Logger;
  /** delays between attempts (ms); the default tries 5 times over about 30 s */
  delays?: number[];
}

export class Notifier {
  readonly #options: NotifyOptions;
  readonly #delays: number[];
  #generation = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #sockets = new Set<Socket>();

  constructor(options: NotifyOptions) {
    this.#options = options;
    this.#delays = options.delays ?? [1000, 2000, 4000, 8000, 16000];
  }

  /** Notifies every target of `serial`; earlier rounds still retrying stop. */
  notify(serial: number): void {
    const generation = ++this.#generation;
    for (const target of this.#options.targets) void this.#notifyOne(target, serial, generation);
  }

  stop(): void {
    this.#generation++;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#sockets) socket.close();
    this.#sockets.clear();
  }

  async #notifyOne(target: string, serial: number, generation: number): Promise<void> {
    const parsed = parseHostPort(target);
    if (!parsed) return;
    const log = this.#options.logger.child({ secondary: target, serial });
    for (let attempt = 0; attempt <= this.#delays.length; attempt++) {
      if (generation !== this.#generation) return;
      const outcome = await this.#attempt(parsed.host, parsed.port, Math.min(this.#delays[attempt] ?? 2000, 2000));
      if (outcome === 'acknowledged') {
        log.debug({ attempt: attempt + 1 }, 'NOTIFY acknowledged');
        return;
      }
      log.debug({ attempt: attempt + 1, outcome }, 'NOTIFY not acknowledged');
      const delay = this.#delays[attempt];
      if (delay === undefined) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          resolve();
        }, delay);
        this.#timers.add(timer);
      });
    }
    if (generation === this.#generation) log.warn('secondary never acknowledged NOTIFY; it will still refresh on its SOA timer');
  }

  #attempt(host: string, port: number, timeoutMs: number): Promise<string> {
    const v6 = isIPv6(host);
    const source = v6 ? this.#options.sources.v6 : this.#options.sources.v4;
    const socket = createSocket(v6 ? 'udp6' : 'udp4');
    this.#sockets.add(socket);
    const id = randomInt(0, 0x10000);
    return new Promise<string>((resolve) => {
      const finish = (outcome: string) => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        this.#sockets.delete(socket);
        try {
          socket.close();
        } catch {
          // already closed by stop()
        }
        resolve(outcome);
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      this.#timers.add(timer);
      socket.on('error', (error) => finish(`error: ${error.message}`));
      socket.on('message', (msg) => {
        const decoded = decodeQuery(msg);
        if (!decoded.ok || !decoded.query.response || decoded.query.id !== id || decoded.query.opcode !== OPCODE.NOTIFY) return;
        finish(decoded.query.rcode === RCODE.NOERROR ? 'acknowledged' : `rcode ${decoded.query.rcode}`);
      });
      socket.bind({ address: source ?? (v6 ? '::' : '0.0.0.0'), port: 0 }, () => {
        socket.send(notifyMessage(id, this.#options.zone), port, host);
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
