// A tiny HTTP server that serves the real status page and a canned, mutable /api/state, so the
// page can be tested in a browser without a daemon. Drain/undrain and disable/enable check the
// Bearer token and change the canned state the way the daemon does (state, inDns, drain times; a
// host disabled in the config stays disabled on enable).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { statusPage } from '../../src/http/page/index.ts';
import type { ApiDrainResponse, ApiState } from '../../src/http/types.ts';
import { searchZones } from '../../src/http/zones.ts';

export interface CannedServer {
  url: string;
  state: ApiState;
  /** every POST seen: path and Authorization header */
  posts: { path: string; authorization: string | undefined }[];
  /** answer /api/state with this status instead (e.g. 503) while set */
  failState: number | null;
  /** like serve without http.tokenEnv: no Authorization needed */
  acceptAnyToken: boolean;
  /** how many times /api/state was read */
  requests: number;
  /** the query strings /api/state and /api/zones were asked with */
  queries: string[];
  close(): Promise<void>;
}

export async function startCannedServer(address: string, state: ApiState, token: string): Promise<CannedServer> {
  const canned: CannedServer = { url: '', state, posts: [], failState: null, acceptAnyToken: false, requests: 0, queries: [], close: async () => {} };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/') {
      const page = statusPage();
      res.writeHead(200, { 'content-type': page.contentType, ...page.headers });
      res.end(page.body);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/state') {
      canned.requests += 1;
      canned.queries.push(`${url.pathname}${url.search}`);
      if (canned.failState !== null) return json(res, canned.failState, { error: 'canned failure' });
      // like the daemon: ?zones=none leaves out the list of every zone (counts stay)
      return json(res, 200, { ...canned.state, generatedAt: Date.now(), ...(url.searchParams.get('zones') === 'none' ? { zones: [] } : {}) });
    }
    if (req.method === 'GET' && url.pathname === '/api/zones') {
      canned.queries.push(`${url.pathname}${url.search}`);
      return json(res, 200, searchZones(canned.state.zones, url.searchParams.get('q') ?? '', Number(url.searchParams.get('limit') ?? '50')));
    }
    const action = /^\/api\/hosts\/([^/]+)\/(drain|undrain|disable|enable)$/.exec(url.pathname);
    if (req.method === 'POST' && action) {
      canned.posts.push({ path: url.pathname, authorization: req.headers.authorization });
      if (!canned.acceptAnyToken && req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'a valid Bearer token is required' });
      const name = decodeURIComponent(action[1] as string);
      const host = canned.state.pools.flatMap((p) => p.hosts).find((h) => h.name === name);
      if (!host) return json(res, 404, { error: `no host ${name}` });
      const now = Date.now();
      if (action[2] === 'drain') {
        host.state = 'draining';
        host.inDns = false;
        host.drain = { drainedAt: now, safeToStopAt: now + 2 * canned.state.ttl * 1000 };
      } else if (action[2] === 'disable') {
        host.state = 'disabled';
        host.inDns = false;
        host.drain = null;
      } else if (action[2] === 'enable' && host.disabledInConfig) {
        // serve answers 200 with the state unchanged: only the config can enable it
      } else {
        host.state = 'healthy';
        host.inDns = true;
        host.drain = null;
      }
      host.since = now;
      canned.state.serial += 1;
      const body: ApiDrainResponse = { host: name, state: host.state, drain: host.drain, serial: canned.state.serial };
      return json(res, 200, body);
    }
    json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as AddressInfo).port;
  canned.url = `http://${address}:${port}/`;
  canned.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return canned;
}
