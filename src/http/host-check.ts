// DNS rebinding defence: a request is served only when its Host header names this server — the
// listen address (ip:port, [v6]:port), `localhost` when listening on loopback, or a name the
// operator listed in `http.hosts`. A page from a rebinding name (attacker.example resolving to
// 127.0.0.1) sends Host: attacker.example:8053 and its own matching Origin, so the Origin check
// alone cannot stop it; the Host check can, because the attacker cannot choose another Host.
// An IP literal cannot be rebound, so on a wildcard listen (0.0.0.0, ::) any address of the
// machine is accepted. No Host at all (only HTTP/1.0 allows that; browsers always send one) passes.
import { isIP } from 'node:net';
import { isLoopbackHost } from './auth.ts';

export interface HostPolicy {
  /** the listen host from http.listen: an address, or a name such as localhost */
  listenHost: string;
  /** the port actually listened on */
  port: number;
  /** http.hosts: further names clients use (a reverse proxy's, this machine's DNS name); any port */
  names: readonly string[];
}

/** Host header -> lower-case host (no brackets, no trailing dot) and port (80 when absent); undefined when malformed. */
export function parseHostHeader(header: string): { host: string; port: number } | undefined {
  const match = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(header) ?? /^([^:[\]\s]+)(?::(\d{1,5}))?$/.exec(header);
  if (!match) return undefined;
  const host = (match[1] as string).toLowerCase().replace(/\.$/, '');
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (host === '' || port < 1 || port > 65535) return undefined;
  if (header.startsWith('[') && isIP(host) !== 6) return undefined;
  return { host, port };
}

/** The canonical text of an IP address (IPv6 compressed, lower-case), or undefined for a name. */
function canonicalIp(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare;
  if (isIP(bare) === 6) return new URL(`http://[${bare}]/`).hostname;
  return undefined;
}

export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (header === undefined) return true;
  const parsed = parseHostHeader(header);
  if (!parsed) return false;
  if (policy.names.includes(parsed.host)) return true;
  if (parsed.port !== policy.port) return false;
  const listen = policy.listenHost.toLowerCase().replace(/\.$/, '');
  const listenIp = canonicalIp(listen);
  const hostIp = canonicalIp(parsed.host);
  if (hostIp !== undefined) return listenIp === hostIp || listenIp === '0.0.0.0' || listenIp === '[::]';
  if (parsed.host === listen) return true; // listening on a name (localhost, a LAN name)
  return parsed.host === 'localhost' && isLoopbackHost(listen);
}
