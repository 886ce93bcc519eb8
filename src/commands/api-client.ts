// How the commands that steer a running `serve` (drain, undrain, reload) reach its HTTP API: the
// address from `http.listen` (a wildcard is reached over loopback), the Bearer token from the
// environment variable `http.tokenEnv` names. One request, bounded in time; the JSON answer back.
import { parseHostPort, type Config } from '../config/schema.ts';
import { MxpoolError } from '../errors.ts';

export type ApiSettings = Pick<NonNullable<Config['http']>, 'listen' | 'tokenEnv'>;

/** Where to reach `serve`: a wildcard listen address is reached over loopback. */
export function apiBaseUrl(listen: string): string {
  const where = parseHostPort(listen);
  if (!where) throw new MxpoolError('HTTP_API', 'http.listen', `an address:port, not "${listen}"`);
  let host = where.host;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${where.port}`;
}

export function noApi(): MxpoolError {
  return new MxpoolError('HTTP_API', 'config', 'no http: section, so serve runs no API to ask; add http: { listen: "127.0.0.1:8053" } and restart serve');
}

/** POSTs to `path`; resolves with the status and the parsed JSON body, whatever the status. */
export async function postToServe(http: ApiSettings, path: string, timeoutMs = 10_000): Promise<{ status: number; body: unknown; base: string }> {
  const headers: Record<string, string> = {};
  if (http.tokenEnv !== undefined) {
    const token = process.env[http.tokenEnv];
    if (!token) throw new MxpoolError('HTTP_API', 'http.tokenEnv', `set the environment variable ${http.tokenEnv} to the API token serve uses`);
    headers.authorization = `Bearer ${token}`;
  }
  const base = apiBaseUrl(http.listen);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new MxpoolError('HTTP_API', base, `no mxpool serve answering (${cause}); is it running with this config?`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown, base };
  } catch {
    throw new MxpoolError('HTTP_API', base, `unexpected answer ${response.status}: ${text.slice(0, 200)}`);
  }
}
