// The DNS client transport, and the only file with client sockets and their timers. UDP: one
// connected socket per server, shared by every query to it (the kernel drops datagrams from any
// other source and reports ICMP port-unreachable, so a closed port fails at once instead of
// timing out); answers matched by ID and question. An answer with TC set is asked again over TCP
// (RFC 7766); FORMERR/NOTIMP to a query with EDNS is asked again without it (RFC 6891 7).
// Counts every message it sends: `mxpool audit` reports how many queries a run cost.
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import { RCODE, TYPE } from './constants.ts';
import { decodeResponse, encodeQuery, type ResponseMessage } from './message.ts';

export interface ServerAddress {
  host: string;
  port: number;
}

export type Exchange =
  | { ok: true; message: ResponseMessage }
  /** timeout: no answer in time; unreachable: ICMP/connection refused; malformed: an answer we cannot read */
  | { ok: false; kind: 'timeout' | 'unreachable' | 'malformed'; reason: string };

export interface QueryFailure {
  server: ServerAddress;
  kind: 'timeout' | 'unreachable' | 'malformed';
  reason: string;
}

export type QueryResult = { ok: true; message: ResponseMessage; server: ServerAddress } | { ok: false; failures: QueryFailure[] };

export interface DnsClientOptions {
  /** how long one question waits for its answer (ms), retransmissions included */
  timeoutMs: number;
  /** UDP sockets kept open (one per server); idle ones beyond this are closed */
  maxSockets?: number;
}

const MAX_TCP_MESSAGE = 65535;

/** Questions whose answers must say whether they are signed (DANE ignores unsigned TLSA): asked with DO. */
const DNSSEC_TYPES: ReadonlySet<number> = new Set([TYPE.TLSA]);

export function serverLabel(server: ServerAddress): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

interface Pending {
  name: string;
  type: number;
  settle(result: Exchange): void;
}

/** One connected UDP socket to one server. */
class Channel {
  readonly #socket: Socket;
  readonly #ready: Promise<Error | undefined>;
  readonly pending = new Map<number, Pending>();
  lastUsed = 0;
  readonly server: ServerAddress;

  constructor(server: ServerAddress) {
    this.server = server;
    this.#socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    this.#socket.unref(); // an open socket must not keep the process alive; pending timers do
    this.#socket.on('message', (data) => this.#onMessage(data));
    this.#socket.on('error', (error: Error & { code?: string }) => {
      // ICMP unreachable on a connected socket: nothing listens there; every query waiting on it fails now
      const refused = error.code === 'ECONNREFUSED';
      this.#failAll(refused ? 'unreachable' : 'timeout', refused ? `${serverLabel(server)}: port unreachable (nothing answers DNS there)` : `${serverLabel(server)}: ${error.message}`);
    });
    this.#ready = new Promise((resolve) => {
      // a failed connect (no route to the server: ENETUNREACH) goes to this callback, not to
      // 'error'; ignoring it left the socket unconnected and the next send threw (a crash)
      this.#socket.connect(server.port, server.host, ((error?: Error) => resolve(error ?? undefined)) as () => void);
      this.#socket.once('error', (error) => resolve(error));
    });
  }

  async send(id: number, packet: Buffer, entry: Pending): Promise<void> {
    const failed = await this.#ready;
    if (failed) return entry.settle({ ok: false, kind: 'unreachable', reason: `${serverLabel(this.server)}: ${failed.message}` });
    this.pending.set(id, entry);
    // no callback: a send error comes as the socket's 'error' event (and fails what waits on it);
    // a callback per datagram costs a request object and an extra completion on every query
    this.#socket.send(packet);
  }

  freeId(): number {
    for (;;) {
      const id = randomInt(0, 0x10000);
      if (!this.pending.has(id)) return id;
    }
  }

  forget(id: number): void {
    this.pending.delete(id);
  }

  close(): void {
    this.#failAll('timeout', 'the resolver was closed');
    this.#socket.close();
  }

  #settle(id: number, result: Exchange): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.settle(result);
  }

  #failAll(kind: 'timeout' | 'unreachable', reason: string): void {
    for (const id of [...this.pending.keys()]) this.#settle(id, { ok: false, kind, reason });
  }

  #onMessage(data: Buffer): void {
    if (data.length < 2) return;
    const entry = this.pending.get(data.readUInt16BE(0));
    if (!entry) return; // late or unsolicited: ignore
    const decoded = decodeResponse(data);
    if (!decoded.ok) return this.#settle(data.readUInt16BE(0), { ok: false, kind: 'malformed', reason: `${serverLabel(this.server)}: ${decoded.reason}` });
    const question = decoded.message.question;
    // an answer to another question with the same ID is not ours (RFC 5452 9.1)
    if (question && (question.name !== entry.name || question.type !== entry.type)) return;
    this.#settle(decoded.message.id, { ok: true, message: decoded.message });
  }
}

export class DnsClient {
  readonly #options: Required<DnsClientOptions>;
  readonly #channels = new Map<string, Channel>();
  #sent = 0;
  #closed = false;

  constructor(options: DnsClientOptions) {
    this.#options = { maxSockets: 256, ...options };
  }

  /** DNS messages sent so far (UDP datagrams and TCP queries, retries included). */
  get sent(): number {
    return this.#sent;
  }

  /**
   * One question, answered by the first of `servers` that answers: `attempts` messages spread over
   * the timeout (attempt k is sent at k x timeout/attempts, to servers[k mod n]; at once when the
   * previous one failed early, e.g. port unreachable), the whole question bounded by the timeout.
   * A lost datagram is thus sent again after timeout/attempts, and a dead server costs one timeout.
   */
  query(servers: readonly ServerAddress[], name: string, type: number, attempts: number): Promise<QueryResult> {
    const total = this.#options.timeoutMs;
    const spacing = total / Math.max(1, attempts);
    const started = performance.now();
    return new Promise<QueryResult>((resolve) => {
      const failures: QueryFailure[] = [];
      const waiting = new Set<ServerAddress>();
      let launched = 0;
      let done = false;
      let next: NodeJS.Timeout | undefined;
      const finish = (result: QueryResult) => {
        if (done) return;
        done = true;
        clearTimeout(next);
        clearTimeout(deadline);
        resolve(result);
      };
      const deadline = setTimeout(() => {
        const silent = [...waiting].map((server) => ({ server, kind: 'timeout' as const, reason: `${serverLabel(server)}: no answer within ${total} ms` }));
        finish({ ok: false, failures: [...failures, ...silent] });
      }, total);
      const launch = () => {
        clearTimeout(next);
        if (done || launched >= attempts) return;
        const server = servers[launched % servers.length] as ServerAddress;
        launched++;
        waiting.add(server);
        void this.exchange(server, name, type, Math.max(1, total - (performance.now() - started))).then((result) => {
          if (done) return;
          if (result.ok) return finish({ ok: true, message: result.message, server });
          if (result.kind !== 'timeout') {
            waiting.delete(server);
            failures.push({ server, kind: result.kind, reason: result.reason });
          }
          if (launched < attempts) launch(); // failed early: the next attempt now
          else if (waiting.size === 0) finish({ ok: false, failures });
        });
        if (launched < attempts) next = setTimeout(launch, spacing);
      };
      launch();
    });
  }

  /** One question to one server: UDP with EDNS, then as the answer requires (no EDNS, TCP); waits `timeoutMs`. */
  async exchange(server: ServerAddress, name: string, type: number, timeoutMs = this.#options.timeoutMs): Promise<Exchange> {
    let result = await this.#udp(server, name, type, true, timeoutMs);
    if (result.ok && (result.message.rcode === RCODE.FORMERR || result.message.rcode === RCODE.NOTIMP)) result = await this.#udp(server, name, type, false, timeoutMs);
    if (result.ok && result.message.tc) return this.#tcp(server, name, type, timeoutMs);
    return result;
  }

  close(): void {
    this.#closed = true;
    for (const channel of this.#channels.values()) channel.close();
    this.#channels.clear();
  }

  #channel(server: ServerAddress): Channel {
    const key = serverLabel(server);
    let channel = this.#channels.get(key);
    if (!channel) {
      if (this.#channels.size >= this.#options.maxSockets) this.#closeIdle();
      channel = new Channel(server);
      this.#channels.set(key, channel);
    }
    channel.lastUsed = performance.now();
    return channel;
  }

  #closeIdle(): void {
    const idle = [...this.#channels.entries()].filter(([, c]) => c.pending.size === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, channel] of idle.slice(0, Math.max(1, idle.length / 2))) {
      channel.close();
      this.#channels.delete(key);
    }
  }

  #udp(server: ServerAddress, name: string, type: number, edns: boolean, timeoutMs: number): Promise<Exchange> {
    if (this.#closed) return Promise.resolve({ ok: false, kind: 'timeout', reason: 'the resolver was closed' });
    const channel = this.#channel(server);
    const id = channel.freeId();
    const packet = encodeQuery(id, name, type, { edns, dnssec: edns && DNSSEC_TYPES.has(type) });
    this.#sent++;
    return new Promise<Exchange>((resolve) => {
      const timer = setTimeout(() => {
        channel.forget(id);
        resolve({ ok: false, kind: 'timeout', reason: `${serverLabel(server)}: no answer within ${Math.round(timeoutMs)} ms` });
      }, timeoutMs);
      void channel.send(id, packet, {
        name,
        type,
        settle: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      });
    });
  }

  #tcp(server: ServerAddress, name: string, type: number, timeoutMs: number): Promise<Exchange> {
    const id = randomInt(0, 0x10000);
    const packet = encodeQuery(id, name, type, { edns: true, dnssec: DNSSEC_TYPES.has(type) });
    this.#sent++;
    return new Promise<Exchange>((resolve) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const socket = connect({ host: server.host, port: server.port });
      let done = false;
      const finish = (result: Exchange) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      };
      const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', reason: `${serverLabel(server)}: no answer over TCP within ${Math.round(timeoutMs)} ms` }), timeoutMs);
      socket.on('error', (error) => finish({ ok: false, kind: 'unreachable', reason: `${serverLabel(server)} (TCP): ${error.message}` }));
      socket.on('connect', () => {
        const framed = Buffer.alloc(2 + packet.length);
        framed.writeUInt16BE(packet.length, 0);
        packet.copy(framed, 2);
        socket.write(framed);
      });
      socket.on('data', (data: Buffer) => {
        chunks.push(data);
        received += data.length;
        if (received > MAX_TCP_MESSAGE + 2) return finish({ ok: false, kind: 'malformed', reason: `${serverLabel(server)} (TCP): answer longer than a DNS message` });
        const all = Buffer.concat(chunks);
        if (all.length < 2 || all.length < 2 + all.readUInt16BE(0)) return;
        const decoded = decodeResponse(all.subarray(2, 2 + all.readUInt16BE(0)));
        if (!decoded.ok) return finish({ ok: false, kind: 'malformed', reason: `${serverLabel(server)} (TCP): ${decoded.reason}` });
        if (decoded.message.id !== id) return finish({ ok: false, kind: 'malformed', reason: `${serverLabel(server)} (TCP): answer with another ID` });
        finish({ ok: true, message: decoded.message });
      });
      socket.on('close', () => finish({ ok: false, kind: 'timeout', reason: `${serverLabel(server)} (TCP): connection closed before the answer` }));
    });
  }
}
