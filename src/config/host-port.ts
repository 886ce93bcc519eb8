// "address:port" as the config and the command line write it. Dependency-free: the live resolver
// (audit --domains) parses --nameserver with it without loading the config schema (zod, yaml).
import { isIP } from 'node:net';

/** Parses "127.0.0.1:5353" or "[::1]:5353". */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const host = match[1] as string;
  const portNumber = Number(match[2]);
  if (portNumber < 1 || portNumber > 65535) return undefined;
  if (isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host)) return undefined;
  if (match[0].startsWith('[') && isIP(host) !== 6) return undefined;
  return { host, port: portNumber };
}
