// Keeps the per-host gauges (mxpool_host_up, mxpool_host_in_dns) in step with health and the zone,
// touching only the hosts that changed: with 10,000 hosts a full pass on every transition made a
// cold start quadratic (10,000 transitions x 10,000 hosts x 2 gauges) and starved the probes.
import type { Config } from '../config/schema.ts';
import type { DesiredZone, HealthState } from '../model.ts';
import type { Metrics } from '../http/metrics.ts';

export class HostGauges {
  readonly #metrics: Pick<Metrics, 'hostState'>;
  readonly #config: Config;
  readonly #stateOf: (host: string) => HealthState | undefined;
  /** per pool, the hosts its records named at the last zone; undefined until the first zone */
  #named: Map<string, Set<string>> | undefined;

  constructor(metrics: Pick<Metrics, 'hostState'>, config: Config, stateOf: (host: string) => HealthState | undefined) {
    this.#metrics = metrics;
    this.#config = config;
    this.#stateOf = stateOf;
  }

  /** A new zone: every host on the first one, then only hosts that entered or left the records. */
  zoneChanged(zone: DesiredZone): void {
    const before = this.#named;
    const after = new Map(this.#config.pools.map((pool) => [pool.name, new Set(zone.published?.[pool.name] ?? [])]));
    this.#named = after;
    for (const pool of this.#config.pools) {
      const was = before?.get(pool.name);
      const now = after.get(pool.name) as Set<string>;
      for (const host of pool.hosts) {
        if (was !== undefined && was.has(host.name) === now.has(host.name)) continue;
        this.#set(host.name, pool.name, now.has(host.name));
      }
    }
  }

  /** A health transition of one host (records the zone may not reflect yet, or ever: whenAllDown). */
  hostChanged(host: string, pool: string): void {
    this.#set(host, pool, this.#named?.get(pool)?.has(host) ?? false);
  }

  #set(host: string, pool: string, inDns: boolean): void {
    this.#metrics.hostState(host, pool, this.#stateOf(host) === 'healthy', inDns);
  }
}
