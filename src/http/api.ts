// Builds the `GET /api/state` document from what the daemon knows. Pure: plain data in, plain data out.
import type { Config, PoolConfig } from '../config/schema.ts';
import type { DesiredZone, HealthSnapshot, RecordSet } from '../model.ts';
import { presentSet } from './present.ts';
import { FAMILY_BITS, inNetwork, parseAddress, type ParsedAddress } from '../auth/ip.ts';
import { API_STATE_VERSION, type ApiAudit, type ApiCluster, type ApiConfigStatus, type ApiHost, type ApiNameserver, type ApiPool, type ApiProbe, type ApiProbePoint, type ApiProviderSync, type ApiSpfGrace, type ApiState } from './types.ts';
import { apiZones, zoneCounts } from './zones.ts';

/** What the daemon remembers of one host's probes. */
export interface HostProbes {
  last: ApiProbe | null;
  /** oldest first, at most HISTORY_LENGTH */
  history: ApiProbePoint[];
  streak: { ok: number; fail: number } | null;
}

export const HISTORY_LENGTH = 60;

export interface StateSource {
  config: Config;
  now: number;
  startedAt: number;
  startedFrom: ApiState['startedFrom'];
  firstRoundDone: boolean;
  health: HealthSnapshot;
  /** the zone being served; undefined before the first one was built */
  zone: DesiredZone | undefined;
  probes: ReadonlyMap<string, HostProbes>;
  providers: ApiProviderSync[];
  audit: ApiAudit | null;
  nameserver: ApiNameserver | null;
  /** retired addresses still in their SPF grace period (src/daemon/retired.ts) */
  spfGrace: readonly { address: string; host?: string; until: number }[];
  /** the config in force and the outcome of reloads */
  configStatus: ApiConfigStatus;
  /** the cluster section (src/cluster/api.ts); absent without `cluster:` */
  cluster?: ApiCluster;
  /** the tenant (customer) zones published now */
  tenantZones?: readonly DesiredZone[];
  /** false: `zones` comes back empty (counts only), for the status page's poll */
  listZones?: boolean;
  /** the provider syncs of a tenant zone */
  tenantProviders?: (zone: string) => ApiProviderSync[];
  /** what the checks beside the probe say about a host (relay security, DNSBL); absent: none configured */
  hygiene?: (host: string) => Required<Pick<ApiHost, 'security' | 'dnsbl' | 'withheld'>>;
}

export function buildApiState(source: StateSource): ApiState {
  const { config, zone } = source;
  const sets = zone?.sets ?? [];
  const spfTerms = spfAddresses(sets, config.zone);
  return {
    version: API_STATE_VERSION,
    generatedAt: source.now,
    zone: config.zone,
    ttl: config.ttl,
    serial: zone?.serial ?? 0,
    startedAt: source.startedAt,
    firstRoundDone: source.firstRoundDone,
    startedFrom: source.startedFrom,
    writeAuth: config.http?.tokenEnv ? 'bearer' : 'none',
    pools: config.pools.map((pool) => apiPool(pool, source, sets, spfTerms)),
    records: sets.map(presentSet),
    spfGrace: source.spfGrace.map((entry): ApiSpfGrace => ({ address: entry.address, host: entry.host ?? null, until: entry.until })),
    notes: zone?.notes ?? [],
    providers: source.providers,
    audit: source.audit,
    nameserver: source.nameserver,
    config: source.configStatus,
    ...(source.cluster ? { cluster: source.cluster } : {}),
    ...zonesPart(source),
  };
}

function zonesPart(source: StateSource): Pick<ApiState, 'zones' | 'zoneCounts'> {
  const top = source.zone?.zone;
  const zones = apiZones(source.zone, source.tenantZones ?? [], (zone) => (zone === top ? source.providers : (source.tenantProviders?.(zone) ?? [])));
  return { zones: source.listZones === false ? [] : zones, zoneCounts: zoneCounts(zones) };
}

function apiPool(pool: PoolConfig, source: StateSource, sets: RecordSet[], spfTerms: SpfTerms): ApiPool {
  // the pool's shared name and MX, plus each published host's own A/AAAA (all that names its hosts)
  const poolSets = sets.filter((set) => (set.source === 'pool' || set.source === 'host') && set.pool === pool.name);
  const named = publishedHosts(pool, poolSets);
  const hosts = pool.hosts.map((host): ApiHost => {
    const health = source.health.get(host.name);
    const probes = source.probes.get(host.name);
    const state = health?.state ?? 'unhealthy';
    const drainedAt = state === 'draining' ? health?.withdrawnAt : undefined;
    return {
      name: host.name,
      pool: pool.name,
      address: host.address,
      port: host.port,
      weight: host.weight,
      state,
      since: health?.since ?? source.startedAt,
      disabledInConfig: host.disabled,
      inDns: named.has(host.name),
      inSpf: pool.role === 'outbound' && spfTerms.has(host.address),
      lastProbe: probes?.last ?? null,
      history: probes?.history ?? [],
      drain: drainedAt === undefined ? null : { drainedAt, safeToStopAt: safeToStopAt(drainedAt, source.config.ttl) },
      streak: probes?.streak ?? null,
      ...(source.hygiene?.(host.name) ?? { security: null, dnsbl: [], withheld: [] }),
    };
  });
  return {
    name: pool.name,
    role: pool.role,
    hostname: pool.hostname ?? null,
    mx: pool.mx ? { name: pool.mx.name, preference: pool.mx.preference } : null,
    whenAllDown: pool.whenAllDown,
    minHealthy: pool.minHealthy,
    healthyCount: hosts.filter((host) => host.state === 'healthy').length,
    publishedHosts: pool.hosts.map((host) => host.name).filter((name) => named.has(name)),
    published: poolSets.map(presentSet),
    hosts,
  };
}

/** Hosts a pool's records name: by the value's `host` tag, else by address or MX exchange. */
function publishedHosts(pool: PoolConfig, poolSets: RecordSet[]): Set<string> {
  const named = new Set<string>();
  for (const set of poolSets) {
    for (const value of set.values) {
      if (value.host !== undefined) named.add(value.host);
      const data = value.data;
      for (const host of pool.hosts) {
        if ((data.type === 'A' || data.type === 'AAAA') && data.address.toLowerCase() === host.address.toLowerCase()) named.add(host.name);
        if (data.type === 'MX' && data.exchange === host.name) named.add(host.name);
      }
    }
  }
  return named;
}

/**
 * What the apex SPF record authorises by ip4:/ip6: terms: single addresses and the blocks mxpool
 * writes when relays are neighbours (ip4:192.0.2.20/31 holds .20 and .21).
 */
class SpfTerms {
  readonly #networks: { network: ParsedAddress; prefix: number }[] = [];

  add(address: string, prefix: number | undefined): void {
    const network = parseAddress(address);
    if (network) this.#networks.push({ network, prefix: prefix ?? FAMILY_BITS[network.family] });
  }

  has(address: string): boolean {
    const parsed = parseAddress(address);
    return parsed !== undefined && this.#networks.some(({ network, prefix }) => network.family === parsed.family && inNetwork(parsed, network, prefix));
  }
}

function spfAddresses(sets: RecordSet[], zone: string): SpfTerms {
  const found = new SpfTerms();
  for (const set of sets) {
    if (set.type !== 'TXT' || set.name !== zone) continue;
    for (const value of set.values) {
      if (value.data.type !== 'TXT') continue;
      const text = value.data.strings.join('');
      if (!/^v=spf1(\s|$)/i.test(text)) continue;
      for (const term of text.split(/\s+/)) {
        const match = /^\+?ip[46]:([^/]+)(?:\/(\d+))?$/i.exec(term);
        if (match) found.add(match[1] as string, match[2] === undefined ? undefined : Number(match[2]));
      }
    }
  }
  return found;
}

/** Resolvers may cache an answer naming the host for one TTL after the last one that did; twice is the margin. */
export function safeToStopAt(drainedAt: number, ttlSeconds: number): number {
  return drainedAt + 2 * ttlSeconds * 1000;
}
