// A drain must take the host out of DNS, or the "safe to stop" time it prints is a lie. When the
// host is the last one its pool can publish, whenAllDown (all / last-known-good) keeps publishing
// it — so the drain is refused with the reason instead of pretending.
import type { Config } from '../config/schema.ts';
import type { HealthSnapshot, HostHealth } from '../model.ts';
import { publishedHosts } from '../desired.ts';

/** Why draining `host` now would leave it in DNS; undefined when the drain would withdraw it (or it is unknown/already drained). */
export function drainWouldNotWithdraw(config: Config, health: HealthSnapshot, host: string, lastKnownGood: Record<string, string[]>, now: number): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  const current = health.get(name);
  if (!current || current.state === 'draining' || current.state === 'disabled') return undefined;
  const pool = config.pools.find((p) => p.name === current.pool);
  if (!pool) return undefined;
  const after = new Map<string, HostHealth>(health);
  after.set(name, { ...current, state: 'draining', since: now, withdrawnAt: now });
  const published = publishedHosts(pool, after, lastKnownGood[pool.name], []);
  if (!published.some((h) => h.name === name)) return undefined;
  const healthyOthers = pool.hosts.filter((h) => h.name !== name && after.get(h.name)?.state === 'healthy').length;
  return `draining ${name} would not take it out of DNS: pool ${pool.name} would have ${healthyOthers} healthy host(s) besides it (minHealthy ${pool.minHealthy}), ` +
    `so whenAllDown: ${pool.whenAllDown} keeps publishing it. Bring another host of the pool up first, or set whenAllDown: none for this pool`;
}
