// PURE: config + health snapshot -> the record sets mxpool publishes (DESIGN.md "desired records").
// Pool selection rules (documented in docs/nameserver.md):
//  - only `healthy` hosts are in DNS; `draining`, `disabled` and `unhealthy` ones are not;
//  - when fewer than `minHealthy` hosts are healthy (or none is), `whenAllDown` decides:
//      all             -> every host that is not disabled (never an empty set while one is enabled),
//      last-known-good -> the hosts published last time (still enabled) plus the healthy ones,
//      none            -> nothing for that pool (and a note says so);
//  - weight-0 hosts are backups: published only when no host with weight > 0 is.
import type { Config, HostConfig, PoolConfig, SoaConfig } from './config/schema.ts';
import type { DesiredZone, HealthSnapshot, HostHealth, RecordSet, RecordValue } from './model.ts';
import { authRecordSets, type RetiredAddress } from './auth/records.ts';
import { transportView, type TransportState, type TransportView } from './auth/transport.ts';
import { canonicalIPv6, parseRData, RDataError } from './dns/rdata.ts';
import { ZoneSets } from './dns/zonesets.ts';
import { isIPv6 } from 'node:net';

export { nextSerial } from './dns/serial.ts';

export interface DesiredOptions {
  serial: number;
  /** epoch ms (passed on to the auth records: grace periods) */
  now: number;
  /** pool name -> host names it published last time (for whenAllDown: last-known-good) */
  lastKnownGood?: Record<string, string[]>;
  /** addresses recently withdrawn that SPF keeps for a grace period (see src/auth/senders.ts) */
  retired?: readonly RetiredAddress[];
  /** the sets published last time: a new SPF that fails its checks keeps the previous one (src/auth/records.ts) */
  previous?: readonly RecordSet[];
  /** keys the probes saw and since when the MTA-STS policy names each host (src/auth/transport.ts) */
  transport?: TransportState;
}

/** TTL of SOA and NS: they change rarely; negative answers use the SOA minimum (RFC 2308). */
export const ZONE_TTL = 3600;
/** TTL of static `records:` without their own `ttl`. */
export const STATIC_TTL = 3600;

export function desired(config: Config, health: HealthSnapshot, options: DesiredOptions): DesiredZone {
  const notes: string[] = [];
  const sets = new ZoneSets(notes);
  const published: Record<string, string[]> = {};

  if (config.nameserver) for (const set of apexSets(config, options.serial)) sets.addManaged(set);

  const transport = transportView(config, options.now, options.transport);
  for (const pool of config.pools) {
    const hosts = publishedHosts(pool, withoutDaneWithdrawn(pool, health, transport, notes), options.lastKnownGood?.[pool.name], notes);
    published[pool.name] = hosts.map((h) => h.name);
    for (const set of poolSets(config, pool, hosts, transport, notes)) sets.addManaged(set);
  }
  for (const set of transport.sets) sets.addManaged(set);
  notes.push(...transport.notes);

  const auth = authRecordSets(config, health, options.now, options.retired ?? [], options.previous ?? []);
  for (const set of auth.sets) sets.addManaged(set);
  notes.push(...auth.notes);

  config.records.forEach((record, index) => {
    const origin = `records.${index}`;
    try {
      const data = parseRData(record.type, record.value, config.zone);
      const set: RecordSet = { name: record.name, type: record.type, ttl: record.ttl ?? STATIC_TTL, values: [{ data }], source: 'static' };
      sets.addStatic(set, origin);
    } catch (error) {
      if (!(error instanceof RDataError)) throw error;
      notes.push(`${origin}: ${record.name} ${record.type} ignored: ${error.message}`);
    }
  });

  const result = sets.result(config.zone);
  if (config.nameserver) notes.push(...lameNsNotes(config, result));
  const zone: DesiredZone = { zone: config.zone, serial: options.serial, sets: result, notes, published };
  if (auth.spfWithheld) zone.spfWithheld = true;
  if (transport.mismatches.size > 0 || transport.heldMx.size > 0 || Number.isFinite(transport.nextChange)) {
    zone.transport = {
      mismatches: Object.fromEntries(transport.mismatches),
      // a name waiting for a place has no deadline yet: it is under stsWaiting instead
      heldMx: Object.fromEntries([...transport.heldMx].filter(([, until]) => Number.isFinite(until))),
      ...(transport.stsWaiting.size > 0 ? { stsWaiting: Object.fromEntries(transport.stsWaiting) } : {}),
      ...(Number.isFinite(transport.nextChange) ? { nextChange: transport.nextChange } : {}),
    };
  }
  return zone;
}

/** Every host healthy except those with `disabled: true`: for `zone --all-healthy` and previews. */
export function allHealthy(config: Config, now: number): HealthSnapshot {
  const snapshot = new Map<string, HostHealth>();
  for (const pool of config.pools) {
    for (const host of pool.hosts) {
      snapshot.set(host.name, { host: host.name, pool: pool.name, state: host.disabled ? 'disabled' : 'healthy', since: now });
    }
  }
  return snapshot;
}

/** The hosts a pool publishes now, by the rules at the top of this file. */
export function publishedHosts(pool: PoolConfig, health: HealthSnapshot, lastKnownGood: string[] | undefined, notes: string[]): HostConfig[] {
  const enabled = pool.hosts.filter((h) => !h.disabled && health.get(h.name)?.state !== 'disabled');
  const healthy = enabled.filter((h) => health.get(h.name)?.state === 'healthy');
  if (healthy.length >= Math.max(pool.minHealthy, 1)) return preferWeighted(healthy);

  const shortfall = `pool ${pool.name}: ${healthy.length} of ${pool.hosts.length} hosts healthy (minHealthy ${pool.minHealthy})`;
  if (enabled.length === 0) {
    notes.push(`pool ${pool.name}: every host is disabled; nothing published for it`);
    return [];
  }
  switch (pool.whenAllDown) {
    case 'none':
      if (healthy.length > 0) {
        notes.push(`${shortfall}: publishing only the healthy ones (whenAllDown: none)`);
        return preferWeighted(healthy);
      }
      notes.push(`${shortfall}: publishing nothing for this pool (whenAllDown: none)`);
      return [];
    case 'last-known-good': {
      const known = new Set(lastKnownGood ?? []);
      const chosen = enabled.filter((h) => known.has(h.name) || healthy.includes(h));
      if (lastKnownGood !== undefined && chosen.length > 0) {
        notes.push(`${shortfall}: publishing the last known good set (${chosen.map((h) => h.name).join(', ')}) (whenAllDown: last-known-good)`);
        return preferWeighted(chosen);
      }
      notes.push(`${shortfall}: no last known good set yet; publishing every enabled host (whenAllDown: last-known-good falls back to all)`);
      return preferWeighted(enabled);
    }
    case 'all':
    default:
      notes.push(`${shortfall}: publishing every enabled host (whenAllDown: all)`);
      return preferWeighted(enabled);
  }
}

/** Weight-0 hosts are backups: in DNS only when no host with a weight is. */
function preferWeighted(hosts: HostConfig[]): HostConfig[] {
  const weighted = hosts.filter((h) => h.weight > 0);
  return weighted.length > 0 ? weighted : hosts;
}

function addressData(host: HostConfig): RecordValue['data'] {
  return isIPv6(host.address) ? { type: 'AAAA', address: canonicalIPv6(host.address) } : { type: 'A', address: host.address };
}

/**
 * DANE `onMismatch: withdraw`: such hosts count as unhealthy for this pool — but only while enough
 * healthy hosts remain (never the last one), so a mismatch never triggers whenAllDown.
 */
function withoutDaneWithdrawn(pool: PoolConfig, health: HealthSnapshot, transport: TransportView, notes: string[]): HealthSnapshot {
  if (pool.role !== 'inbound' || transport.withdraw.size === 0) return health;
  const healthy = pool.hosts.filter((h) => !h.disabled && health.get(h.name)?.state === 'healthy');
  const out = healthy.filter((h) => transport.withdraw.has(h.name));
  if (out.length === 0) return health;
  if (healthy.length - out.length < Math.max(pool.minHealthy, 1)) {
    notes.push(`DANE: pool ${pool.name} keeps ${out.map((h) => h.name).join(', ')} in MX despite the key mismatch: too few other healthy hosts (minHealthy ${pool.minHealthy})`);
    return health;
  }
  const adjusted = new Map(health);
  for (const host of out) adjusted.set(host.name, { ...(health.get(host.name) as HostHealth), state: 'unhealthy' });
  return adjusted;
}

/**
 * MTA-STS safety (RFC 8461 5.1): a host the policy has named for less than one TTL stays out of MX
 * (its A/AAAA are published) — unless that would leave the pool's MX empty.
 */
function mxHosts(pool: PoolConfig, hosts: HostConfig[], transport: Pick<TransportView, 'heldMx' | 'stsWaiting'>, notes: string[]): HostConfig[] {
  const held = transport.heldMx;
  if (held.size === 0) return hosts;
  const waiting = hosts.filter((h) => held.has(h.name));
  if (waiting.length === 0) return hosts;
  if (waiting.length === hosts.length) {
    notes.push(`MTA-STS: pool ${pool.name}: ${waiting.map((h) => h.name).join(', ')} in MX although the policy names them for less than one TTL (no other host to publish)`);
    return hosts;
  }
  for (const host of waiting) {
    const places = transport.stsWaiting.get(host.name);
    if (places) notes.push(`MTA-STS: ${host.name} stays out of MX until ${places.join(', ')} ${places.length === 1 ? 'carries' : 'carry'} the _mta-sts id of the policy naming it, then one TTL`);
    else notes.push(`MTA-STS: ${host.name} enters MX at ${new Date(held.get(host.name) as number).toISOString()}, once the policy naming it has been served for one TTL`);
  }
  return hosts.filter((h) => !held.has(h.name));
}

function poolSets(config: Config, pool: PoolConfig, hosts: HostConfig[], transport: Pick<TransportView, 'heldMx' | 'stsWaiting'>, notes: string[]): RecordSet[] {
  const sets: RecordSet[] = [];
  for (const host of hosts) {
    const data = addressData(host);
    sets.push({ name: host.name, type: data.type as 'A' | 'AAAA', ttl: config.ttl, values: [{ data, host: host.name }], source: 'host', pool: pool.name });
  }
  if (pool.hostname) {
    for (const type of ['A', 'AAAA'] as const) {
      const values = hosts.map((h) => ({ data: addressData(h), weight: h.weight, host: h.name })).filter((v) => v.data.type === type);
      if (values.length > 0) sets.push({ name: pool.hostname, type, ttl: config.ttl, values, source: 'pool', pool: pool.name });
    }
  }
  if (pool.mx && hosts.length > 0) {
    const preference = pool.mx.preference;
    const values = mxHosts(pool, hosts, transport, notes).map((h) => ({ data: { type: 'MX' as const, preference, exchange: h.name }, weight: h.weight, host: h.name }));
    sets.push({ name: pool.mx.name, type: 'MX', ttl: config.ttl, values, source: 'pool', pool: pool.name });
  }
  return sets;
}

function apexSets(config: Config, serial: number): RecordSet[] {
  const ns = config.nameserver;
  return ns ? apexRecordSets(config.zone, ns.ns, ns.soa, serial) : [];
}

/** SOA and NS at a zone's apex (the top-level zone's, or a tenant's). */
export function apexRecordSets(zone: string, ns: readonly string[], soaConfig: SoaConfig, serial: number): [RecordSet, RecordSet] {
  const { mname, rname, refresh, retry, expire, minimum } = soaConfig;
  const soa: RecordSet = { name: zone, type: 'SOA', ttl: ZONE_TTL, values: [{ data: { type: 'SOA', mname, rname, serial, refresh, retry, expire, minimum } }], source: 'zone' };
  const nsSet: RecordSet = { name: zone, type: 'NS', ttl: ZONE_TTL, values: ns.map((target) => ({ data: { type: 'NS', target } })), source: 'zone' };
  return [soa, nsSet];
}

/** An in-zone NS name without an address record makes the delegation lame: say so. */
function lameNsNotes(config: Config, sets: RecordSet[]): string[] {
  return lameNs(config.zone, config.nameserver?.ns ?? [], sets);
}

export function lameNs(zone: string, ns: readonly string[], sets: readonly RecordSet[]): string[] {
  const notes: string[] = [];
  for (const target of ns) {
    if (target !== zone && !target.endsWith(`.${zone}`)) continue;
    const hasAddress = sets.some((s) => s.name === target && (s.type === 'A' || s.type === 'AAAA'));
    if (!hasAddress) notes.push(`NS ${target} is inside the zone but has no A/AAAA record: add one under records: (glue)`);
  }
  return notes;
}
