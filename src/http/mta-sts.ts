// The MTA-STS policy server (RFC 8461 3.3), the only file with this socket and its reload timer:
// HTTPS, answers exactly GET/HEAD https://mta-sts.<zone>/.well-known/mta-sts.txt with the policy as
// text/plain — no redirects, nothing else (other paths 404, other Host names 421). Every request is
// bounded in size and time. The certificate files are re-read when they change (certificates renew):
// a new pair that does not load is logged and the old one kept.
import { createServer, type Server } from 'node:https';
import { createSecureContext } from 'node:tls';
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import { MxpoolError } from '../errors.ts';
import { parseHostPort } from '../config/schema.ts';
import { POLICY_PATH } from '../auth/mta-sts.ts';

export interface MtaStsServerOptions {
  /** "0.0.0.0:443"; port 0 picks a free one (tests) */
  listen: string;
  certFile: string;
  keyFile: string;
  /** the policy domain's host name: mta-sts.<zone> */
  host: string;
  /** the policy text, served as it is */
  policy: () => string;
  logger: Logger;
  /** how often the certificate files are checked for a change */
  reloadCheckMs?: number;
}

/** Open connections at once; more are refused by the kernel backlog, not queued in memory. */
const MAX_CONNECTIONS = 512;

interface Pair {
  stamp: string;
  key: Buffer;
  cert: Buffer;
}

export class MtaStsServer {
  readonly #options: MtaStsServerOptions;
  #server: Server | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stamp = '';

  constructor(options: MtaStsServerOptions) {
    if (!parseHostPort(options.listen)) throw new MxpoolError('CONFIG_INVALID', 'auth.mtaSts.https.listen', `an address:port, not "${options.listen}"`, { fatal: true });
    this.#options = options;
  }

  async start(): Promise<AddressInfo> {
    const where = parseHostPort(this.#options.listen) as { host: string; port: number };
    const pair = this.#load(true) as Pair;
    this.#stamp = pair.stamp;
    const server = createServer(
      { key: pair.key, cert: pair.cert, minVersion: 'TLSv1.2', handshakeTimeout: 5000, maxHeaderSize: 8192, requestTimeout: 10_000, headersTimeout: 5000, keepAliveTimeout: 5000 },
      (request, response) => this.#answer(request, response),
    );
    server.maxConnections = MAX_CONNECTIONS;
    server.maxHeadersCount = 50;
    server.setTimeout(10_000, (socket) => socket.destroy());
    server.on('tlsClientError', (error) => this.#options.logger.debug({ err: error.message }, 'mta-sts: TLS handshake failed'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new MxpoolError('HTTP_API', 'auth.mtaSts.https.listen', `cannot listen on ${this.#options.listen}: ${error.code ?? error.message}`, { fatal: true })));
      server.listen(where.port, where.host, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', (error) => this.#options.logger.error({ err: error.message }, 'mta-sts: server error'));
    this.#server = server;
    this.#timer = setInterval(() => this.#reloadIfChanged(), this.#options.reloadCheckMs ?? 10_000);
    this.#timer.unref();
    const address = server.address() as AddressInfo;
    this.#options.logger.info({ address: address.address, port: address.port, host: this.#options.host }, 'mta-sts: serving the policy');
    return address;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #answer(request: IncomingMessage, response: ServerResponse): void {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', ...headers });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    // a request body is never read: whatever was sent is discarded with the connection
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'only GET and HEAD\n', { Allow: 'GET, HEAD', Connection: 'close' });
    const host = (request.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    if (host !== this.#options.host) return send(421, `this server answers for ${this.#options.host} only\n`);
    if (request.url !== POLICY_PATH) return send(404, 'not found\n');
    send(200, this.#options.policy());
  }

  /** Reads the pair; on `fatal` a failure stops start-up, later ones keep the pair in use. */
  #load(fatal: boolean): Pair | undefined {
    const { certFile, keyFile } = this.#options;
    try {
      const stamp = stampOf(certFile, keyFile);
      const cert = readFileSync(certFile);
      const key = readFileSync(keyFile);
      createSecureContext({ key, cert }); // throws when they do not load or do not belong together
      return { stamp, key, cert };
    } catch (error) {
      const detail = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (fatal) throw new MxpoolError('CONFIG_INVALID', 'auth.mtaSts.https.certFile', `a readable PEM certificate and key that belong together (${certFile}, ${keyFile}: ${detail})`, { fatal: true });
      this.#options.logger.error({ certFile, keyFile, err: detail }, 'mta-sts: the changed certificate does not load; still serving the previous one');
      return undefined;
    }
  }

  #reloadIfChanged(): void {
    let stamp: string;
    try {
      stamp = stampOf(this.#options.certFile, this.#options.keyFile);
    } catch {
      return; // mid-rename (certbot swaps links): look again next time
    }
    if (stamp === this.#stamp) return;
    const pair = this.#load(false);
    this.#stamp = stamp; // a broken pair is reported once, not every check
    if (!pair || !this.#server) return;
    this.#server.setSecureContext({ key: pair.key, cert: pair.cert });
    this.#options.logger.info({ certFile: this.#options.certFile }, 'mta-sts: certificate reloaded');
  }
}

/** Size, mtime and inode of both files: a renewal (rewrite or link swap) changes one of them. */
function stampOf(certFile: string, keyFile: string): string {
  return [certFile, keyFile].map((file) => {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  }).join('/');
}
