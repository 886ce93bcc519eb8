// Which addresses may send mail for the zone right now: every host of an outbound pool that is
// healthy, unhealthy or draining (a draining relay still flushes its queue), plus disabled and
// retired hosts until their grace period of twice the TTL has passed (mail they queued before
// being withdrawn is still arriving at receivers, and receivers cache the old SPF for one TTL).
import type { Config } from '../config/schema.ts';
import type { HealthSnapshot } from '../model.ts';

export interface RetiredAddress {
  address: string;
  /** epoch ms until which the address stays authorised */
  until: number;
}

export function graceMs(config: Pick<Config, 'ttl'>): number {
  return 2 * config.ttl * 1000;
}

/** Addresses in config order, duplicates removed (two pools may share a relay). */
export function sendingAddresses(config: Config, health: HealthSnapshot, now: number, retired: readonly RetiredAddress[] = []): string[] {
  const addresses = new Set<string>();
  for (const pool of config.pools) {
    if (pool.role !== 'outbound') continue;
    for (const host of pool.hosts) {
      if (maySend(config, health, host.name, host.disabled, now)) addresses.add(host.address.toLowerCase());
    }
  }
  for (const entry of retired) if (entry.until > now) addresses.add(entry.address.toLowerCase());
  return [...addresses];
}

function maySend(config: Config, health: HealthSnapshot, name: string, disabledInConfig: boolean, now: number): boolean {
  const state = health.get(name);
  if (!state) return !disabledInConfig; // unknown health: a disabled host with no withdrawal time is out
  if (state.state !== 'disabled') return true;
  // without a withdrawal time (a host disabled in the config before start-up, a preview built by
  // allHealthy) there is no grace period to honour: the host is out
  if (state.withdrawnAt === undefined) return false;
  return now < state.withdrawnAt + graceMs(config);
}
