// A resolver that asks real DNS: the nameserver given as ip:port, or the system's resolvers.
// One try per question with a timeout, so a dead server is a temperror within seconds, not a hang.
import { Resolver as NodeResolver } from 'node:dns/promises';
import { parseHostPort } from '../config/schema.ts';
import { UsageError } from '../errors.ts';
import { parseAddress } from '../auth/ip.ts';
import { normaliseName, reverseName, type Answer, type Resolver } from './resolver.ts';

export interface LiveResolverOptions {
  /** "ip:port" or "[v6]:port"; absent = the system's resolvers */
  nameserver?: string;
  /** per-query timeout in ms */
  timeoutMs?: number;
}

export function liveResolver(options: LiveResolverOptions = {}): Resolver {
  const node = new NodeResolver({ timeout: options.timeoutMs ?? 3000, tries: 1 });
  if (options.nameserver) {
    const target = parseHostPort(options.nameserver);
    if (!target) throw new UsageError(`--nameserver: expected ip:port such as 127.0.0.1:5353, got "${options.nameserver}"`);
    node.setServers([target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`]);
  }
  const ask = async <T>(name: string, query: () => Promise<T[]>): Promise<Answer<T>> => {
    try {
      return { status: 'ok', records: await query() };
    } catch (error) {
      return classify(name, error);
    }
  };
  // address answers carry their TTL: the pool rules check it is short enough for failover
  const withTtl = async (name: string, query: () => Promise<{ address: string; ttl: number }[]>): Promise<Answer<string>> => {
    try {
      const records = await query();
      return { status: 'ok', records: records.map((r) => r.address), ttl: Math.min(...records.map((r) => r.ttl)) };
    } catch (error) {
      return classify(name, error);
    }
  };
  return {
    txt: (name) => ask(name, () => node.resolveTxt(name)),
    a: (name) => withTtl(name, () => node.resolve4(name, { ttl: true })),
    aaaa: (name) => withTtl(name, () => node.resolve6(name, { ttl: true })),
    mx: (name) => ask(name, async () => (await node.resolveMx(name)).map((mx) => ({ preference: mx.priority, exchange: normaliseName(mx.exchange) }))),
    cname: (name) => ask(name, async () => (await node.resolveCname(name)).map(normaliseName)),
    // resolvePtr on the reverse name, not reverse(): reverse() reports a REFUSED answer as ENOTFOUND
    ptr: (ip) => {
      const parsed = parseAddress(ip);
      if (!parsed) return Promise.resolve({ status: 'nxdomain' });
      const name = reverseName(ip, parsed);
      return ask(name, async () => (await node.resolvePtr(name)).map(normaliseName));
    },
  };
}

function classify<T>(name: string, error: unknown): Answer<T> {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOTFOUND':
      return { status: 'nxdomain' };
    case 'ENODATA':
      return { status: 'nodata' };
    case 'EREFUSED':
      // an authoritative-only server refuses names outside its zones: nobody here can answer
      return { status: 'unresolvable', reason: `${name}: the nameserver refused the query (not authoritative for it)` };
    case 'ETIMEOUT':
      return { status: 'temperror', reason: `${name}: no answer within the timeout` };
    case 'ESERVFAIL':
      return { status: 'temperror', reason: `${name}: SERVFAIL` };
    default:
      return { status: 'temperror', reason: `${name}: ${code ?? (error instanceof Error ? error.message : String(error))}` };
  }
}
