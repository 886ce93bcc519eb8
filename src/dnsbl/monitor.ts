// Looks every outbound address up in every configured DNSBL zone, now and then every
// `dnsbl.interval`, and keeps what each list says (verdict.ts). The one timer of the DNSBL
// lookups; the DNS client is the auditor's live one (src/audit/live-resolver.ts), new each round.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { liveDns } from '../audit/live-resolver.ts';
import type { Resolver } from '../audit/resolver.ts';
import { ConcurrencyLimit } from '../probe/limit.ts';
import { dnsblName, judgeDnsbl, keep, listingLine, type DnsblResult, type DnsblVerdict } from './verdict.ts';
import { isIP } from 'node:net';

export interface DnsblHost {
  host: string;
  pool: string;
  address: string;
}

export interface DnsblMonitorOptions {
  config: Config;
  logger: Logger;
  /** default: the live resolver at dnsbl.resolver (or the system's) */
  resolver?: Resolver;
  now?: () => number;
  /** a host's listing changed (listed or not, in any zone), or its last lookup's status did */
  onChange?: (host: string) => void;
  /** every lookup, for the metrics */
  onLookup?: (host: DnsblHost, result: DnsblResult) => void;
}

/** At most this many DNSBL questions in flight (lists throttle busy clients). */
const CONCURRENCY = 8;

/** "127.0.0.1" -> "127.0.0.1:53", "::1" -> "[::1]:53"; "ip:port" as it is. */
export function resolverAddress(text: string): string {
  if (isIP(text) === 4) return `${text}:53`;
  if (isIP(text) === 6) return `[${text}]:53`;
  return text;
}

export function outboundHosts(config: Config): DnsblHost[] {
  return config.pools.flatMap((pool) => (pool.role === 'outbound' ? pool.hosts.map((host) => ({ host: host.name, pool: pool.name, address: host.address })) : []));
}

export class DnsblMonitor {
  readonly hosts: readonly DnsblHost[];
  readonly #options: DnsblMonitorOptions;
  readonly #zones: readonly string[];
  readonly #intervalMs: number;
  /** a fresh DNS client per round (its sockets closed after it), or the one a test hands in */
  readonly #resolverFor: () => { resolver: Resolver; close(): void };
  readonly #now: () => number;
  readonly #limit = new ConcurrencyLimit(CONCURRENCY);
  /** address -> zone -> verdict (hosts sharing an address share its verdicts) */
  readonly #verdicts = new Map<string, Map<string, DnsblVerdict>>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: DnsblMonitorOptions) {
    const dnsbl = options.config.dnsbl;
    this.#options = options;
    this.#zones = dnsbl?.zones ?? [];
    this.#intervalMs = dnsbl?.interval ?? 300_000;
    this.#now = options.now ?? Date.now;
    this.hosts = dnsbl ? outboundHosts(options.config) : [];
    const nameserver = dnsbl?.resolver === undefined ? {} : { nameserver: resolverAddress(dnsbl.resolver) };
    const given = options.resolver;
    // A new client and cache every round: the recursor caches a silent server as dead for a minute
    // and answers for their TTL, and a round every `interval` must ask the list again.
    this.#resolverFor = given ? () => ({ resolver: given, close: () => undefined }) : () => liveDns({ ...nameserver, timeoutMs: dnsbl?.timeout ?? 3000 });
  }

  /** Looks everything up now, then every interval. Resolves when the first round is done. */
  start(): Promise<void> {
    if (this.hosts.length === 0) return Promise.resolve();
    const tick = async () => {
      const started = this.#now();
      await this.runOnce();
      if (this.#stopped) return;
      this.#timer = setTimeout(() => void tick(), Math.max(0, this.#intervalMs - (this.#now() - started)));
      this.#timer.unref();
    };
    return tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One round over every address and zone; never throws. A round already running is joined. */
  runOnce(): Promise<void> {
    this.#running ??= this.#round().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** After a config reload: takes over the verdicts of the addresses and zones that stay. */
  adopt(previous: DnsblMonitor): void {
    const addresses = new Set(this.hosts.map((h) => h.address.toLowerCase()));
    for (const [address, byZone] of previous.#verdicts) {
      if (!addresses.has(address)) continue;
      const kept = new Map([...byZone].filter(([zone]) => this.#zones.includes(zone)));
      if (kept.size > 0) this.#verdicts.set(address, kept);
    }
  }

  /** The verdicts about a host's address, one per zone (empty before its first lookup). */
  verdicts(host: string): DnsblVerdict[] {
    const address = this.hosts.find((h) => h.host === host)?.address;
    return address === undefined ? [] : [...(this.#verdicts.get(address.toLowerCase())?.values() ?? [])];
  }

  /** Why the host counts as listed ("listed on a (127.0.0.2: ...); listed on b (...)"), or undefined. */
  listing(host: string): string | undefined {
    const listed = this.verdicts(host).filter((v) => v.listed);
    if (listed.length === 0) return undefined;
    return listed.map(listingLine).join('; ');
  }

  async #round(): Promise<void> {
    const addresses = new Map<string, DnsblHost[]>();
    for (const host of this.hosts) {
      const key = host.address.toLowerCase();
      addresses.set(key, [...(addresses.get(key) ?? []), host]);
    }
    const dns = this.#resolverFor();
    try {
      await Promise.all([...addresses].flatMap(([address, hosts]) => this.#zones.map((zone) => this.#limit.run(() => this.#lookup(dns.resolver, address, zone, hosts)))));
    } finally {
      dns.close();
    }
  }

  async #lookup(resolver: Resolver, address: string, zone: string, hosts: DnsblHost[]): Promise<void> {
    if (this.#stopped) return;
    const query = dnsblName(address, zone) as string;
    let result: DnsblResult;
    try {
      const a = await resolver.a(query);
      const maybeListed = a.status === 'ok' && a.records.length > 0;
      result = judgeDnsbl(zone, query, a, maybeListed ? await resolver.txt(query) : undefined, this.#now());
    } catch (error) {
      result = { zone, query, status: 'unknown', codes: [], reason: error instanceof Error ? error.message : String(error), at: this.#now() };
    }
    const byZone = this.#verdicts.get(address) ?? new Map<string, DnsblVerdict>();
    this.#verdicts.set(address, byZone);
    const before = byZone.get(zone);
    const after = keep(before, result);
    byZone.set(zone, after);
    for (const host of hosts) this.#options.onLookup?.(host, result);
    if (result.status === 'error' || result.status === 'unknown') {
      this.#options.logger.warn({ address, zone, status: result.status, reason: result.reason, listed: after.listed }, 'DNSBL lookup gave no verdict: keeping the last one');
    }
    const listingChanged = (before?.listed ?? false) !== after.listed;
    if (listingChanged) {
      this.#options.logger.warn({ address, zone, hosts: hosts.map((h) => h.host), listed: after.listed, codes: result.codes, reason: result.reason || undefined }, after.listed ? 'relay listed on a DNSBL' : 'relay delisted from a DNSBL');
    }
    // a lookup that starts or stops failing is news too (the audit reports it), not only a listing
    const statusNews = before === undefined ? after.last.status !== 'clean' : before.last.status !== after.last.status;
    if (listingChanged || statusNews) for (const host of hosts) this.#options.onChange?.(host.host);
  }
}
