// One SMTP probe over node:net / node:tls, under ONE deadline:
// connect -> 220 greeting (multi-line accepted) -> EHLO (HELO when EHLO gets 500/502) -> STARTTLS per
// policy, SNI = host name -> certificate (chain, name, days left) -> EHLO again -> QUIT -> close.
// Never throws: every failure is a ProbeResult with the stage that failed and a reason. Always sends
// QUIT when the dialogue is still sane, and always closes its socket and clears its one timer
// before resolving, so thousands of probes leave nothing behind.
// Checks beside the probe (src/security/) go on after the last EHLO through `probeSmtp(..., then)`:
// the same session, parser and failure reasons, each further command with its own stage and a
// deadline of its own (probe.timeout per stage) — not a second SMTP client.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { judgeCertificate } from './cert.ts';
import { performance } from 'node:perf_hooks';
import { ReplyError, ReplyParser, hasExtension, parseExtensions, printable, type SmtpReply } from './reply.ts';
import { secureContextFor } from './tls-context.ts';
import type { DialogueStage, ProbeOptions, ProbeResult, ProbeStage, ProbeTarget, SmtpDialogue, TlsInfo } from './types.ts';

export type { DialogueStage, ProbeOptions, ProbeResult, ProbeStage, ProbeTarget, SmtpDialogue, TlsInfo } from './types.ts';
export type { SmtpReply } from './reply.ts';

/** What runs after the last EHLO of a probe, before its QUIT (src/security/). */
export type Continuation = (dialogue: SmtpDialogue) => Promise<void>;

/** A failed step. `polite`: the server still speaks SMTP, so we say QUIT before closing. */
class ProbeFailure extends Error {
  readonly polite: boolean;
  readonly refused: boolean;
  constructor(reason: string, options: { polite?: boolean; refused?: boolean } = {}) {
    super(reason);
    this.polite = options.polite ?? false;
    this.refused = options.refused ?? false;
  }
}

const WAITING_FOR: Record<ProbeStage, string> = {
  connect: 'connecting',
  greeting: 'waiting for the greeting',
  ehlo: 'waiting for the EHLO reply',
  starttls: 'waiting for the STARTTLS reply',
  tls: 'during the TLS handshake',
  cert: 'checking the certificate',
  mail: 'waiting for the MAIL FROM reply',
  rcpt: 'waiting for the RCPT TO reply',
  rset: 'waiting for the RSET reply',
  auth: 'waiting for the AUTH reply',
  quit: 'waiting for the QUIT reply',
};

function networkFailure(error: NodeJS.ErrnoException, stage: ProbeStage): ProbeFailure {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new ProbeFailure('connection refused', { refused: true });
    case 'ECONNRESET':
      return new ProbeFailure(stage === 'tls' ? 'connection reset during the TLS handshake' : 'connection reset by the server', { refused: true });
    case 'EPIPE':
      return new ProbeFailure('connection closed by the server while we were writing', { refused: true });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ProbeFailure(`no route to the host (${error.code})`);
    case 'EADDRNOTAVAIL':
      return new ProbeFailure('address not available on this machine (EADDRNOTAVAIL): is probe.sourceAddress one of its addresses?');
    default:
      if (stage === 'tls') return new ProbeFailure(`TLS handshake failed: ${error.message}`);
      return new ProbeFailure(`${error.code ?? 'socket error'}: ${error.message}`);
  }
}

class ProbeSession {
  private readonly target: ProbeTarget;
  private readonly options: ProbeOptions;
  private readonly now: () => number;
  private readonly started = performance.now();
  private readonly at: number;
  private stage: ProbeStage = 'connect';
  private code: number | null = null;
  private banner: string | null = null;
  private extensions: string[] = [];
  /** the keywords of the first EHLO, before STARTTLS (AUTH offered in clear shows here) */
  private firstExtensions: string[] | undefined;
  private tls: TlsInfo | undefined;
  private plain: Socket | undefined;
  private secure: TLSSocket | undefined;
  private parser = new ReplyParser();
  private replies: SmtpReply[] = [];
  private waiter: { resolve: (reply: SmtpReply) => void; reject: (error: ProbeFailure) => void } | undefined;
  private failure: ProbeFailure | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private closed: Promise<void> = Promise.resolve();

  private readonly continuation: Continuation | undefined;

  constructor(target: ProbeTarget, options: ProbeOptions, then?: Continuation) {
    this.target = target;
    this.options = options;
    this.continuation = then;
    this.now = options.now ?? Date.now;
    this.at = this.now();
  }

  /** (Re)starts the deadline: once for the probe, again for each stage of a continuation. */
  private arm(): void {
    clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      this.fail(new ProbeFailure(`timed out after ${this.options.timeoutMs} ms ${WAITING_FOR[this.stage]}`));
      // a silent peer gets no QUIT: tear down now so the deadline really is the end
      this.plain?.destroy();
      this.secure?.destroy();
    }, this.options.timeoutMs);
  }

  async run(): Promise<ProbeResult> {
    this.arm();
    let result: ProbeResult;
    try {
      await this.dialogue();
      if (this.continuation) await this.continuation(this.dialogueView());
      this.stage = 'quit';
      result = this.result(true, '');
      await this.quit();
    } catch (error) {
      const failure = error instanceof ProbeFailure ? error : new ProbeFailure(`internal error: ${error instanceof Error ? error.message : String(error)}`);
      result = this.result(false, failure.message, failure.refused);
      if (failure.polite && this.failure === undefined) await this.quit();
    } finally {
      clearTimeout(this.deadline);
      this.secure?.destroy();
      this.plain?.destroy();
      await this.closed;
    }
    return result;
  }

  private result(ok: boolean, reason: string, refused = false): ProbeResult {
    const result: ProbeResult = {
      ok,
      stage: this.stage,
      reason,
      code: this.code,
      ms: Math.round((performance.now() - this.started) * 10) / 10,
      banner: this.banner,
      extensions: this.extensions,
      tls: this.tls,
      at: this.at,
    };
    if (refused) result.refused = true;
    return result;
  }

  private async dialogue(): Promise<void> {
    await this.connect();
    this.stage = 'greeting';
    const greeting = await this.read();
    this.banner = greeting.lines[0] ?? '';
    if (greeting.code !== 220) throw new ProbeFailure(`greeting ${describe(greeting)}`, { polite: true });
    this.stage = 'ehlo';
    await this.hello();
    const offered = hasExtension(this.extensions, 'STARTTLS');
    if (this.options.starttls === 'off') return;
    if (!offered) {
      if (this.options.starttls === 'required') {
        this.stage = 'starttls';
        throw new ProbeFailure('STARTTLS required but not offered', { polite: true });
      }
      return;
    }
    this.stage = 'starttls';
    const ready = await this.command('STARTTLS');
    if (ready.code !== 220) throw new ProbeFailure(`STARTTLS refused: ${describe(ready)}`, { polite: true });
    // Anything after the 220 was sent before the handshake: plaintext injection (CVE-2011-0411 class).
    if (this.parser.pending || this.replies.length > 0) throw new ProbeFailure('data after the STARTTLS reply, before the TLS handshake');
    this.stage = 'tls';
    await this.upgrade();
    this.stage = 'cert';
    this.checkCertificate();
    this.stage = 'ehlo';
    await this.hello();
  }

  private connect(): Promise<void> {
    const from = this.options.localAddress;
    const socket = netConnect({ host: this.target.address, port: this.target.port, noDelay: true, ...(from !== undefined ? { localAddress: from } : {}) });
    this.plain = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.listen(socket);
    return this.wait((resolve) => socket.once('connect', () => resolve(undefined)));
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(networkFailure(error, this.stage)));
    socket.on('end', () => this.fail(new ProbeFailure(`connection closed by the server ${WAITING_FOR[this.stage]}`, { refused: true })));
  }

  private onData(chunk: Buffer): void {
    let done: readonly SmtpReply[];
    try {
      done = this.parser.push(chunk);
    } catch (error) {
      this.fail(new ProbeFailure(error instanceof ReplyError ? error.message : String(error)));
      this.plain?.destroy();
      this.secure?.destroy();
      return;
    }
    for (const reply of done) {
      this.code = reply.code;
      if (this.waiter) {
        const { resolve } = this.waiter;
        this.waiter = undefined;
        resolve(reply);
      } else {
        this.replies.push(reply);
      }
    }
  }

  /** The first failure wins; it rejects whatever the dialogue is waiting for. */
  private fail(failure: ProbeFailure): void {
    if (this.failure) return;
    this.failure = failure;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(failure);
  }

  private wait<T>(setup: (resolve: (value: T) => void) => void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.waiter = { resolve: resolve as (reply: SmtpReply) => void, reject };
      setup((value) => {
        this.waiter = undefined;
        resolve(value);
      });
    });
  }

  private read(): Promise<SmtpReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return this.wait<SmtpReply>(() => undefined);
  }

  /** Not async on purpose: one promise per command instead of two (thousands of probes a second). */
  private command(line: string): Promise<SmtpReply> {
    if (this.failure) return Promise.reject(this.failure);
    (this.secure ?? this.plain)?.write(`${line}\r\n`);
    return this.read();
  }

  /** The session as a continuation sees it: what the EHLOs said, TLS, and one command at a time. */
  private dialogueView(): SmtpDialogue {
    return {
      extensionsBeforeTls: this.firstExtensions ?? [],
      extensions: this.extensions,
      tls: this.tls,
      command: (stage, line) => {
        this.stage = stage;
        this.arm();
        return this.command(line);
      },
    };
  }

  /** EHLO; HELO when the server does not know EHLO (500/502). */
  private async hello(): Promise<void> {
    const ehlo = await this.command(`EHLO ${this.options.helo}`);
    if (ehlo.code === 250) {
      this.extensions = parseExtensions(ehlo);
      this.firstExtensions ??= this.extensions;
      return;
    }
    if ((ehlo.code === 500 || ehlo.code === 502) && !this.secure) {
      const helo = await this.command(`HELO ${this.options.helo}`);
      if (helo.code === 250) {
        this.extensions = [];
        this.firstExtensions ??= this.extensions;
        return;
      }
      throw new ProbeFailure(`EHLO ${describe(ehlo)}; HELO ${describe(helo)}`, { polite: true });
    }
    throw new ProbeFailure(`EHLO ${this.secure ? 'after STARTTLS ' : ''}${describe(ehlo)}`, { polite: true });
  }

  private upgrade(): Promise<void> {
    const plain = this.plain as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    const secure = tlsConnect({
      socket: plain,
      servername: isIP(this.target.name) === 0 ? this.target.name : undefined,
      secureContext: secureContextFor(this.options.ca),
      rejectUnauthorized: false, // we judge the chain ourselves so the result can say what is wrong
    });
    this.secure = secure;
    this.parser = new ReplyParser();
    this.listen(secure);
    return this.wait((resolve) => secure.once('secureConnect', () => resolve(undefined)));
  }

  private checkCertificate(): void {
    const verdict = judgeCertificate(this.secure as TLSSocket, this.target.name, this.options, this.now());
    this.tls = verdict.tls;
    if (verdict.problem) throw new ProbeFailure(verdict.problem, { polite: true });
  }

  /** QUIT, wait for the reply (or the server's close) within the deadline; failures here do not matter. */
  private async quit(): Promise<void> {
    const socket = this.secure ?? this.plain;
    if (!socket || socket.destroyed || this.failure) return;
    try {
      await this.command('QUIT');
    } catch {
      // the server closed without 221, or the deadline came: the verdict is already made
    }
    socket.end();
  }
}

function describe(reply: SmtpReply): string {
  return `${reply.code} ${printable(reply.lines.join(' '), 120)}`.trim();
}

/** Probes one SMTP host. Never throws; see ProbeResult for the verdict. */
export async function probeSmtp(target: ProbeTarget, options: ProbeOptions, then?: Continuation): Promise<ProbeResult> {
  return new ProbeSession(target, options, then).run();
}
