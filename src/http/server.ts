// The HTTP listener (node:http, the only file with this socket): routing, auth, JSON and errors.
// What each route returns comes from `HttpHandlers`; this file knows nothing of probes or zones.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import { MxpoolError } from '../errors.ts';
import { parseHostPort } from '../config/schema.ts';
import { checkBearer, isLoopbackHost } from './auth.ts';
import { hostAllowed } from './host-check.ts';
import type { ApiDrainResponse, ApiReloadResult, ApiState, ApiZoneSearch } from './types.ts';
import { statusPage } from './page/index.ts';

export interface HttpHandlers {
  healthz(): { ok: boolean; status: string };
  /** `listZones: false` (the status page's `?zones=none`): counts only, no list of every zone */
  state(options?: { listZones: boolean }): ApiState;
  /** `GET /api/zones?q=&limit=`: the zones whose name contains q */
  zones?(query: string, limit: number): ApiZoneSearch;
  /** throws `HttpError` 404 for an unknown host */
  drain(host: string): Promise<ApiDrainResponse>;
  undrain(host: string): Promise<ApiDrainResponse>;
  /** run-time disable / enable (same auth and answer as drain) */
  disable(host: string): Promise<ApiDrainResponse>;
  enable(host: string): Promise<ApiDrainResponse>;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** re-read the config file (absent: serve has none, the endpoint is 404) */
  reload?(): Promise<ApiReloadResult>;
}

/** 200 applied; 422 refused, the old config keeps running; 503 starting or shutting down. */
const RELOAD_STATUS: Record<ApiReloadResult['outcome'], number> = { applied: 200, refused: 422, unavailable: 503 };

/** The operator's actions on one host: POST /api/hosts/{name}/{action}. */
export type HostAction = 'drain' | 'undrain' | 'disable' | 'enable';

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface HttpServerOptions {
  /** "127.0.0.1:8053"; port 0 picks a free one (tests) */
  listen: string;
  /** the Bearer token for write endpoints; undefined = none (loopback only) */
  token: string | undefined;
  /** http.hosts now (a reload may change it): names besides the listen address that the Host header may carry (DNS rebinding) */
  hosts?: () => readonly string[];
  handlers: HttpHandlers;
  logger: Logger;
}

const HOST_ACTION = /^\/api\/hosts\/([^/]+)\/(drain|undrain|disable|enable)$/;

export class HttpServer {
  readonly #options: HttpServerOptions;
  #server: Server | undefined;
  #port = 0;

  constructor(options: HttpServerOptions) {
    const where = parseListen(options.listen);
    if (!where) throw new MxpoolError('HTTP_API', 'http.listen', `an address:port, not "${options.listen}"`, { fatal: true });
    if (options.token === undefined && !isLoopbackHost(where.host)) {
      throw new MxpoolError('HTTP_API', 'http.listen', `${options.listen} is reachable beyond this machine: set http.tokenEnv and that environment variable, or listen on loopback (127.0.0.1)`, { fatal: true });
    }
    this.#options = options;
  }

  async start(): Promise<AddressInfo> {
    const where = parseListen(this.#options.listen) as { host: string; port: number };
    const server = createServer((request, response) => {
      this.#route(request, response).catch((error: unknown) => this.#fail(response, error));
    });
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where.port, where.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.#options.logger.error({ err: error.message }, 'http server error'));
    this.#server = server;
    const address = server.address() as AddressInfo;
    this.#port = address.port;
    this.#options.logger.info({ address: address.address, port: address.port, auth: this.#options.token === undefined ? 'none (loopback)' : 'bearer' }, 'http listening');
    return address;
  }

  address(): AddressInfo | undefined {
    return (this.#server?.address() as AddressInfo | null) ?? undefined;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // a scraper holding a keep-alive socket must not delay shutdown
    setTimeout(() => server.closeAllConnections(), 1000).unref();
    await closed;
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://mxpool.invalid');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const { handlers } = this.#options;
    request.resume(); // no route takes a body; discard whatever came
    if (!this.#ownHost(request)) return send(response, 421, { error: `misdirected request: Host ${JSON.stringify(request.headers.host?.slice(0, 255))} is not this server (http.listen ${this.#options.listen}, or a name in http.hosts)` });

    const action = HOST_ACTION.exec(path);
    if (action) {
      if (!this.#mayWrite(request, response, method)) return;
      const host = decodeURIComponent(action[1] as string).toLowerCase().replace(/\.$/, '');
      const result = await handlers[action[2] as HostAction](host);
      this.#options.logger.info({ host, action: action[2], remote: request.socket.remoteAddress }, 'operator request');
      return send(response, 200, result);
    }
    if (path === '/api/reload') {
      if (!handlers.reload) return send(response, 404, { error: 'this serve has no config file to re-read (mxpool demo)' });
      if (!this.#mayWrite(request, response, method)) return;
      this.#options.logger.info({ remote: request.socket.remoteAddress }, 'operator request: reload');
      const result = await handlers.reload();
      return send(response, RELOAD_STATUS[result.outcome], result);
    }
    if (method !== 'GET' && method !== 'HEAD') return send(response, 405, { error: 'use GET' }, { allow: 'GET, HEAD' });
    switch (path) {
      case '/healthz': {
        const health = handlers.healthz();
        return send(response, health.ok ? 200 : 503, health);
      }
      case '/api/state':
        return send(response, 200, handlers.state({ listZones: url.searchParams.get('zones') !== 'none' }));
      case '/api/zones': {
        if (!handlers.zones) return send(response, 404, { error: `no such endpoint: ${path}` });
        const limit = Number(url.searchParams.get('limit') ?? '50');
        return send(response, 200, handlers.zones((url.searchParams.get('q') ?? '').slice(0, 253), Number.isFinite(limit) ? limit : 50));
      }
      case '/metrics': {
        const metrics = await handlers.metrics();
        return sendText(response, 200, metrics.body, metrics.contentType);
      }
      case '/':
      case '/index.html': {
        const page = statusPage();
        return sendText(response, 200, page.body, page.contentType, page.headers);
      }
      default:
        return send(response, 404, { error: `no such endpoint: ${path}` });
    }
  }

  /** The write endpoints' gate: POST only, same-site, and the Bearer token when one is set. Answers when refused. */
  #mayWrite(request: IncomingMessage, response: ServerResponse, method: string): boolean {
    const refusal = this.#writeRefusal(request, method);
    if (refusal) send(response, refusal.status, { error: refusal.error }, refusal.headers);
    return refusal === undefined;
  }

  #writeRefusal(request: IncomingMessage, method: string): { status: number; error: string; headers?: Record<string, string> } | undefined {
    if (method !== 'POST') return { status: 405, error: 'use POST', headers: { allow: 'POST' } };
    if (crossSite(request)) return { status: 403, error: 'cross-site request refused' };
    const auth = checkBearer(request.headers.authorization, this.#options.token);
    if (!auth.ok) return { status: auth.status, error: auth.error, ...(auth.status === 401 ? { headers: { 'www-authenticate': 'Bearer realm="mxpool"' } } : {}) };
    return undefined;
  }

  /** DNS rebinding: only the listen address, localhost on loopback, or a name in http.hosts (host-check.ts) */
  #ownHost(request: IncomingMessage): boolean {
    const where = parseListen(this.#options.listen) as { host: string; port: number };
    if (hostAllowed(request.headers.host, { listenHost: where.host, port: this.#port, names: this.#options.hosts?.() ?? [] })) return true;
    this.#options.logger.warn({ host: request.headers.host?.slice(0, 255), remote: request.socket.remoteAddress, path: request.url?.slice(0, 255) }, 'refused a request for another Host (DNS rebinding?)');
    return false;
  }

  #fail(response: ServerResponse, error: unknown): void {
    if (error instanceof HttpError) return send(response, error.status, { error: error.message });
    this.#options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'http handler failed');
    if (!response.headersSent) send(response, 500, { error: 'internal error (see the serve log)' });
    else response.destroy();
  }
}

/** `parseHostPort`, plus port 0 (any free port: tests and the demo's overrides). */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const zero = /^(.*):0$/.exec(text);
  if (zero) {
    const parsed = parseHostPort(`${zero[1]}:1`);
    return parsed ? { host: parsed.host, port: 0 } : undefined;
  }
  return parseHostPort(text);
}

/** A browser page from another origin posting to us (CSRF): it sends an Origin that is not our Host. */
function crossSite(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(response, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8', headers);
}

function sendText(response: ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  const extra = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...extra });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
