// Which addresses SPF keeps for a grace period although no outbound host in the config holds
// them any more — a relay removed from the config, or the old address of a relay whose address
// changed. Mail it queued before the change is still arriving at receivers, and receivers cache the
// old SPF for one TTL, so the address stays authorised for twice the TTL (src/auth/senders.ts).
// The daemon compares the addresses saved in the state file with the config's at start-up, and
// the running config's with the new one at a reload (src/daemon/apply-config.ts): the same rules.
// Pure but for `announceRetired`, which only logs.
import { isIPv6 } from 'node:net';
import type { Config } from '../config/schema.ts';
import type { HostHealth } from '../model.ts';
import type { Logger } from '../log.ts';
import { graceMs, type RetiredAddress } from '../auth/senders.ts';
import { canonicalIPv6 } from '../dns/rdata.ts';
import type { SavedAddress, SavedState } from '../state/file.ts';

export interface RetiredSender extends RetiredAddress {
  /** the host that held the address (for logs and the state file) */
  host?: string;
}

/** A retirement found at this start, with the words the log line uses. */
export interface NewRetirement extends RetiredSender {
  host: string;
  /** "removed host relay2.example.com", "host relay2.example.com (now 192.0.2.99)" */
  holder: string;
}

/** Every host's address and pool role, as the state file records them. */
export function configAddresses(config: Config): SavedAddress[] {
  return config.pools.flatMap((pool) => pool.hosts.map((host) => ({ host: host.name, pool: pool.name, role: pool.role, address: host.address })));
}

/** One spelling per address (IPv6 has many), so "still held" compares what SPF would publish. */
export function addressKey(address: string): string {
  const lower = address.trim().toLowerCase();
  if (!isIPv6(lower)) return lower;
  try {
    return canonicalIPv6(lower);
  } catch {
    return lower;
  }
}

/**
 * The retired addresses at start-up (or at a reload, with the running config as `saved`): the
 * saved ones still in their grace period, plus every saved
 * outbound address that was sending and that no outbound host of `config` holds now (`until` =
 * now + 2 x TTL). An address a host of the config holds again leaves the list: its host decides.
 */
export function retiredAtStart(config: Config, saved: Pick<SavedState, 'addresses' | 'retired' | 'hosts'> | undefined, now: number): { retired: RetiredSender[]; found: NewRetirement[] } {
  if (!saved) return { retired: [], found: [] };
  const held = new Set<string>();
  for (const pool of config.pools) if (pool.role === 'outbound') for (const host of pool.hosts) held.add(addressKey(host.address));
  const configHost = new Map(config.pools.flatMap((pool) => pool.hosts.map((host) => [host.name, { address: host.address, role: pool.role }] as const)));
  const grace = graceMs(config);

  const byAddress = new Map<string, RetiredSender>();
  const keepLonger = (key: string, entry: RetiredSender): boolean => {
    const before = byAddress.get(key);
    if (before && before.until >= entry.until) return false;
    byAddress.set(key, entry);
    return true;
  };
  for (const entry of saved.retired) {
    const key = addressKey(entry.address);
    if (entry.until > now && !held.has(key)) keepLonger(key, { ...entry });
  }

  const healthOf = new Map(saved.hosts.map((h) => [h.host, h]));
  const found = new Map<string, NewRetirement>();
  for (const entry of saved.addresses) {
    if (entry.role !== 'outbound') continue;
    const key = addressKey(entry.address);
    if (held.has(key)) continue;
    const until = sendingUntil(healthOf.get(entry.host), now, grace);
    if (until <= now) continue; // it had already left SPF before this start
    const retired: NewRetirement = { address: entry.address, until, host: entry.host, holder: holderWords(entry.host, configHost.get(entry.host)) };
    if (keepLonger(key, { address: retired.address, until, host: retired.host })) found.set(key, retired);
  }
  return { retired: [...byAddress.values()], found: [...found.values()] };
}

/** Until when a saved outbound host's address was authorised had it stayed in the config. */
function sendingUntil(health: HostHealth | undefined, now: number, grace: number): number {
  if (health?.state !== 'disabled') return now + grace; // healthy, unhealthy, draining (or unknown): sending
  // disabled: its own grace ran from the withdrawal and is not extended by its removal
  return health.withdrawnAt === undefined ? Number.NEGATIVE_INFINITY : Math.min(health.withdrawnAt + grace, now + grace);
}

function holderWords(host: string, now: { address: string; role: string } | undefined): string {
  if (!now) return `removed host ${host}`;
  if (now.role !== 'outbound') return `host ${host} (no longer in an outbound pool)`;
  return `host ${host} (now ${now.address})`;
}

/** The retired entries still in their grace period at `now`. */
export function stillRetired(retired: readonly RetiredSender[], now: number): RetiredSender[] {
  return retired.filter((entry) => entry.until > now);
}

/** One info line per retired address at start-up, so the operator sees why SPF still names it. */
export function announceRetired(logger: Logger, retired: readonly RetiredSender[], found: readonly NewRetirement[]): void {
  const fresh = new Set(found.map((entry) => addressKey(entry.address)));
  for (const entry of found) {
    logger.info({ address: entry.address, host: entry.host, until: new Date(entry.until).toISOString() }, `address ${entry.address} of ${entry.holder} stays in SPF until ${new Date(entry.until).toISOString()}`);
  }
  for (const entry of retired) {
    if (fresh.has(addressKey(entry.address))) continue;
    const holder = entry.host === undefined ? 'a removed host' : `removed host ${entry.host}`;
    logger.info({ address: entry.address, host: entry.host, until: new Date(entry.until).toISOString() }, `address ${entry.address} of ${holder} stays in SPF until ${new Date(entry.until).toISOString()} (grace period from an earlier start)`);
  }
}
