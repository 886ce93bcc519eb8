// Keeps the per-host gauges (mxpool_host_up, mxpool_host_in_dns) in step with health and the zone,
// touching only the hosts that changed: with 10,000 hosts a full pass on every transition made a
// cold start quadratic (10,000 transitions x 10,000 hosts x 2 gauges) and starved the probes.
import type { Config } from '../config/schema.ts';
import type { DesiredZone, HealthState } from '../model.ts';
import type { Metrics } from '../http/metrics.ts';

export class HostGauges {
  readonly #metrics: Pick<Metrics, 'hostState' | 'declareHost' | 'forgetHost'>;
  #config: Config;
  readonly #stateOf: (host: string) => HealthState | undefined;
  /** per pool, the hosts its records named at the last zone; undefined until the first zone */
  #named: Map<string, Set<string>> | undefined;

  constructor(metrics: Pick<Metrics, 'hostState' | 'declareHost' | 'forgetHost'>, config: Config, stateOf: (host: string) => HealthState | undefined) {
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

  /**
   * A reload: hosts that left (or moved to another pool) lose their series, new ones are declared,
   * and every host's gauges are set from its health and the records of the last zone (a new zone,
   * if the reload changes the records, follows through `zoneChanged`).
   */
  reconfigure(config: Config): void {
    const poolOf = (c: Config) => new Map(c.pools.flatMap((pool) => pool.hosts.map((host) => [host.name, pool.name] as const)));
    const before = poolOf(this.#config);
    const after = poolOf(config);
    for (const [host, pool] of before) if (after.get(host) !== pool) this.#metrics.forgetHost(host, pool);
    for (const [host, pool] of after) if (before.get(host) !== pool) this.#metrics.declareHost(host, pool);
    this.#config = config;
    for (const [host, pool] of after) this.hostChanged(host, pool);
  }

  /** A health transition of one host (records the zone may not reflect yet, or ever: whenAllDown). */
  hostChanged(host: string, pool: string): void {
    this.#set(host, pool, this.#named?.get(pool)?.has(host) ?? false);
  }

  #set(host: string, pool: string, inDns: boolean): void {
    this.#metrics.hostState(host, pool, this.#stateOf(host) === 'healthy', inDns);
  }
}
