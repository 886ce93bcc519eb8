// A resolver that asks real DNS: the nameserver given as ip:port, or the system's resolvers
// (/etc/resolv.conf as Node reads it). Built on mxpool's own DNS client and recursor
// (live/recursor.ts): one cache and one query budget per `LiveDns`, so a whole `audit --domains`
// run asks each shared name once; every query sent is counted.
import { isIP } from 'node:net';
import { Resolver as NodeResolver } from 'node:dns';
import { parseHostPort } from '../config/host-port.ts';
import { UsageError } from '../errors.ts';
import { parseAddress } from '../auth/ip.ts';
import { DnsClient, type ServerAddress } from '../dns/client.ts';
import { Recursor, type Lookup, type QueryType } from './live/recursor.ts';
import type { RecordData } from '../dns/message.ts';
import { reverseName, type Answer, type Resolver } from './resolver.ts';

export interface LiveResolverOptions {
  /** "ip:port" or "[v6]:port"; absent = the system's resolvers */
  nameserver?: string;
  /** how long one query waits for its answer, in ms (default 5000); each question is sent at most twice per server */
  timeoutMs?: number;
  /** queries on the wire at once (default 32) */
  concurrency?: number;
  /** epoch ms, the cache's clock (tests) */
  now?: () => number;
}

export interface LiveDns {
  resolver: Resolver;
  /** DNS messages sent so far */
  queries(): number;
  /** closes the sockets (pending questions fail as temperror) */
  close(): void;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_CONCURRENCY = 32;

export function liveDns(options: LiveResolverOptions = {}): LiveDns {
  const servers = options.nameserver ? [nameserverAddress(options.nameserver)] : systemServers();
  const client = new DnsClient({ timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  const recursor = new Recursor({ client, servers, concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(options.now ? { now: options.now } : {}) });
  const ask = async <T>(name: string, type: QueryType, pick: (data: RecordData) => T | undefined): Promise<Answer<T>> => {
    const lookup = await recursor.lookup(normalise(name), type);
    return toAnswer(lookup, pick);
  };
  const resolver: Resolver = {
    txt: (name) => ask(name, 'TXT', (d) => (d.type === 'TXT' ? d.strings : undefined)),
    a: (name) => ask(name, 'A', (d) => (d.type === 'A' ? d.address : undefined)),
    aaaa: (name) => ask(name, 'AAAA', (d) => (d.type === 'AAAA' ? d.address : undefined)),
    mx: (name) => ask(name, 'MX', (d) => (d.type === 'MX' ? { preference: d.preference, exchange: d.exchange } : undefined)),
    cname: (name) => ask(name, 'CNAME', (d) => (d.type === 'CNAME' ? d.target : undefined)),
    // asked with the DO bit: DANE needs to know whether the answer was signed
    tlsa: (name) => ask(name, 'TLSA', (d) => (d.type === 'TLSA' ? { usage: d.usage, selector: d.selector, matchingType: d.matchingType, data: d.data } : undefined)),
    ptr: (ip) => {
      const parsed = parseAddress(ip);
      if (!parsed) return Promise.resolve({ status: 'nxdomain' });
      return ask(reverseName(ip, parsed), 'PTR', (d) => (d.type === 'PTR' ? d.target : undefined));
    },
  };
  return { resolver, queries: () => client.sent, close: () => client.close() };
}

/**
 * A live resolver on its own, for one-shot commands (`audit --domain`, `spf --nameserver`, names
 * outside a desired zone): its sockets are unref'd and end with the process. A long-running caller
 * uses liveDns() and close().
 */
export function liveResolver(options: LiveResolverOptions = {}): Resolver {
  return liveDns(options).resolver;
}

function toAnswer<T>(lookup: Lookup, pick: (data: RecordData) => T | undefined): Answer<T> {
  if (lookup.status !== 'ok') return lookup;
  const records = lookup.records.flatMap((data) => {
    const value = pick(data);
    return value === undefined ? [] : [value];
  });
  if (records.length === 0) return { status: 'nodata' };
  return lookup.signed === undefined ? { status: 'ok', records, ttl: lookup.ttl } : { status: 'ok', records, ttl: lookup.ttl, signed: lookup.signed };
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export function nameserverAddress(text: string): ServerAddress {
  const target = parseHostPort(text);
  if (!target || isIP(target.host) === 0) throw new UsageError(`--nameserver: expected ip:port such as 127.0.0.1:5353, got "${text}"`);
  return target;
}

/** The system's resolvers as Node reads /etc/resolv.conf ("1.2.3.4", "[::1]:5353", ...); 127.0.0.1:53 when it lists none. */
export function systemServers(): ServerAddress[] {
  const servers = new NodeResolver().getServers().flatMap((entry) => {
    if (isIP(entry) !== 0) return [{ host: entry, port: 53 }];
    const parsed = parseHostPort(entry);
    return parsed && isIP(parsed.host) !== 0 ? [parsed] : [];
  });
  return servers.length > 0 ? servers : [{ host: '127.0.0.1', port: 53 }];
}
