// Held-connection liveness (`probe.hold`): one idle SMTP session per healthy host, kept alive with
// NOOP well inside the server's idle timeout (Postfix smtpd_timeout 300 s, smtp-server 60 s).
// - the server closes it politely (421: idle timeout, too many errors, shutting down) -> reopen;
// - it is reset or closed without a 421 (the SMTP server crashed or was stopped) -> onLost(host),
//   and the runner probes the host at once: a dead server leaves DNS within about a second.
// After `maxNoops` NOOPs the session is recycled with QUIT, so a server's junk-command limit
// (Postfix smtpd_junk_command_limit, 100) never turns our keep-alives into errors.
// A machine that vanishes without a FIN is not seen here; the timed probes still catch it.
import { connect, type Socket } from 'node:net';
import type { Logger } from '../log.ts';
import { ReplyParser, type SmtpReply } from './reply.ts';
import type { ProbeTarget } from './types.ts';

export interface HoldOptions {
  helo: string;
  /** how long to wait for any reply (greeting, EHLO, NOOP) */
  timeoutMs: number;
  logger: Logger;
  /** `urgent`: the server may have died (an open session cut, a refused or reset connection), not merely slow to greet */
  onLost: (host: string, reason: string, urgent: boolean) => void;
  noopIntervalMs?: number;
  maxNoops?: number;
  /** pause before reopening after a polite close, a failed open or a loss */
  reopenDelayMs?: number;
  /** the local address to connect from (probe.sourceAddress) */
  localAddress?: string;
}

type Phase = 'greeting' | 'ehlo' | 'idle' | 'noop' | 'quit';

class HeldSession {
  private readonly target: ProbeTarget;
  private readonly options: Required<Omit<HoldOptions, 'logger' | 'onLost' | 'localAddress'>> & Pick<HoldOptions, 'localAddress'>;
  private readonly events: { closedPolitely: () => void; lost: (reason: string, urgent: boolean) => void; survived: () => void };
  private readonly socket: Socket;
  private readonly parser = new ReplyParser();
  private phase: Phase = 'greeting';
  private established = false;
  private polite = false;
  private closingByUs = false;
  private noops = 0;
  private timer: NodeJS.Timeout | undefined;
  private lostReason = 'connection closed by the server without 421';
  /** the loss came from a timeout of ours (a slow server), not from the server's side */
  private timedOut = false;
  readonly closed: Promise<void>;

  constructor(target: ProbeTarget, options: HeldSession['options'], events: HeldSession['events']) {
    this.target = target;
    this.options = options;
    this.events = events;
    const from = options.localAddress;
    this.socket = connect({ host: target.address, port: target.port, noDelay: true, ...(from !== undefined ? { localAddress: from } : {}) });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.lostReason = error.code === 'ECONNRESET' ? 'connection reset' : error.code === 'ECONNREFUSED' ? 'connection refused' : `${error.code ?? 'socket error'}: ${error.message}`;
    });
    this.socket.on('close', () => this.onClose());
    this.arm(options.timeoutMs, () => this.abort('no greeting in time', true));
  }

  /** QUIT politely and close; resolves when the socket is gone. */
  close(): Promise<void> {
    this.closingByUs = true;
    this.disarm();
    if (!this.socket.destroyed) {
      if (this.socket.writable && this.established) this.socket.write('QUIT\r\n');
      this.socket.end();
      // do not wait on a server that never closes its side
      this.arm(Math.min(this.options.timeoutMs, 1000), () => this.socket.destroy());
    }
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    let replies: readonly SmtpReply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.abort(`garbage on the held session: ${(error as Error).message}`);
      return;
    }
    for (const reply of replies) this.onReply(reply);
  }

  private onReply(reply: SmtpReply): void {
    if (reply.code === 421) {
      // the server says goodbye on purpose: reopen, do not alarm
      this.polite = true;
      this.disarm();
      this.socket.end();
      return;
    }
    switch (this.phase) {
      case 'greeting':
        if (reply.code !== 220) return this.giveUp(`greeting ${reply.code}`);
        this.send('ehlo', `EHLO ${this.options.helo}`);
        return;
      case 'ehlo':
      case 'noop':
        // an EHLO refusal does not matter: NOOP works in any state
        if (this.phase === 'noop' && this.noops === 1) this.events.survived();
        this.established = true;
        this.phase = 'idle';
        this.arm(this.options.noopIntervalMs, () => this.keepAlive());
        return;
      default:
        return;
    }
  }

  private keepAlive(): void {
    if (this.noops >= this.options.maxNoops) {
      this.polite = true; // recycling on our side: reopen, not a loss
      this.phase = 'quit';
      this.socket.write('QUIT\r\n');
      this.socket.end();
      this.arm(this.options.timeoutMs, () => this.socket.destroy());
      return;
    }
    this.noops += 1;
    this.send('noop', 'NOOP');
  }

  private send(phase: Phase, line: string): void {
    this.phase = phase;
    this.socket.write(`${line}\r\n`);
    this.arm(this.options.timeoutMs, () => this.abort(`no reply to ${line.split(' ')[0]} within ${this.options.timeoutMs} ms`, true));
  }

  /** The server is there but will not hold a session (e.g. 554 greeting): retry later, no alarm. */
  private giveUp(why: string): void {
    this.polite = true;
    this.lostReason = why;
    this.disarm();
    this.socket.destroy();
  }

  private abort(reason: string, timedOut = false): void {
    this.lostReason = reason;
    this.timedOut = timedOut;
    this.disarm();
    this.socket.destroy();
  }

  private onClose(): void {
    this.disarm();
    if (this.closingByUs) return;
    // Any close without a 421 is a loss — also while the session is still opening: a server that
    // dies between our probe and the held session's EHLO must not go unnoticed for an interval.
    if (this.polite) this.events.closedPolitely();
    else this.events.lost(this.established ? this.lostReason : `${this.lostReason} (while opening the held session)`, !this.timedOut);
  }

  private arm(ms: number, callback: () => void): void {
    this.disarm();
    this.timer = setTimeout(callback, ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The held sessions of all hosts. The runner calls hold() for healthy hosts and release() otherwise. */
export class HoldManager {
  private options: HoldOptions;
  private readonly sessions = new Map<string, HeldSession>();
  private readonly reopenTimers = new Map<string, NodeJS.Timeout>();
  /** consecutive losses per host, and when the last one happened: backs off a server that keeps
   * dropping idle sessions without 421, so it is not probed once a second forever */
  private readonly losses = new Map<string, { count: number; at: number }>();
  private readonly closing = new Set<Promise<void>>();
  private stopped = false;

  constructor(options: HoldOptions) {
    this.options = options;
  }

  has(host: string): boolean {
    return this.sessions.has(host);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Makes sure one session is open (or about to reopen) for this host. */
  hold(target: ProbeTarget): void {
    if (this.stopped || this.sessions.has(target.name) || this.reopenTimers.has(target.name)) return;
    const loss = this.losses.get(target.name);
    if (loss) {
      const backoff = Math.min(this.reopenDelay * 2 ** (loss.count - 1), this.noopInterval);
      const wait = loss.at + backoff - Date.now();
      if (wait > 0) return this.reopenLater(target, wait);
    }
    this.open(target);
  }

  /** New EHLO name and reply timeout (a config reload): sessions opened from now on use them. */
  retune(settings: Pick<HoldOptions, 'helo' | 'timeoutMs'>): void {
    this.options = { ...this.options, ...settings };
  }

  /** The host left the config: close its session and forget its losses (a new host of that name starts afresh). */
  forget(host: string): void {
    this.release(host);
    this.losses.delete(host);
  }

  release(host: string): void {
    this.cancelReopen(host);
    const session = this.sessions.get(host);
    if (!session) return;
    this.sessions.delete(host);
    this.track(session.close());
  }

  async closeAll(): Promise<void> {
    this.stopped = true;
    for (const host of [...this.reopenTimers.keys()]) this.cancelReopen(host);
    for (const host of [...this.sessions.keys()]) this.release(host);
    await Promise.all([...this.closing]);
  }

  private get reopenDelay(): number {
    return this.options.reopenDelayMs ?? 1_000;
  }

  private get noopInterval(): number {
    return this.options.noopIntervalMs ?? 20_000;
  }

  private open(target: ProbeTarget): void {
    const settings = {
      helo: this.options.helo,
      timeoutMs: this.options.timeoutMs,
      noopIntervalMs: this.noopInterval,
      maxNoops: this.options.maxNoops ?? 50,
      reopenDelayMs: this.reopenDelay,
      ...(this.options.localAddress !== undefined ? { localAddress: this.options.localAddress } : {}),
    };
    const forget = () => {
      if (this.sessions.get(target.name) === session) this.sessions.delete(target.name);
    };
    const session: HeldSession = new HeldSession(target, settings, {
      closedPolitely: () => {
        forget();
        this.reopenLater(target, settings.reopenDelayMs);
      },
      survived: () => this.losses.delete(target.name),
      lost: (reason, urgent) => {
        forget();
        const previous = this.losses.get(target.name);
        this.losses.set(target.name, { count: (previous?.count ?? 0) + 1, at: Date.now() });
        this.options.logger.debug({ host: target.name, reason }, 'held session lost');
        this.options.onLost(target.name, reason, urgent);
      },
    });
    this.sessions.set(target.name, session);
    this.track(session.closed);
  }

  private reopenLater(target: ProbeTarget, delay: number): void {
    if (this.stopped || this.reopenTimers.has(target.name)) return;
    this.reopenTimers.set(
      target.name,
      setTimeout(() => {
        this.reopenTimers.delete(target.name);
        if (!this.stopped && !this.sessions.has(target.name)) this.open(target);
      }, delay),
    );
  }

  private cancelReopen(host: string): void {
    const timer = this.reopenTimers.get(host);
    if (timer !== undefined) clearTimeout(timer);
    this.reopenTimers.delete(host);
  }

  private track(done: Promise<void>): void {
    this.closing.add(done);
    void done.then(() => this.closing.delete(done));
  }
}
