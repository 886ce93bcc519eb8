// `serve`'s side of the checks beside the probe (src/security/hygiene.ts): holds go to the probe
// runner (whose transitions republish the zone), results to the metrics, and the API gets each
// host's view. Nothing here when neither pools[].security nor dnsbl is configured.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../http/metrics.ts';
import type { ApiHost } from '../http/types.ts';
import type { ProbeRunner } from '../probe/runner.ts';
import { Hygiene } from '../security/hygiene.ts';

export interface DaemonHygieneOptions {
  config: Config;
  logger: Logger;
  env: Record<string, string | undefined>;
  runner: Pick<ProbeRunner, 'withhold'>;
  metrics: Metrics;
  /** findings or listings changed: re-audit, so the report shows them */
  onChange: () => void;
}

/**
 * The checks of `config`, or undefined when it has none. Throws (a start-up error, or a refused
 * reload) when a credentials variable it names is not set.
 */
export function daemonHygiene(options: DaemonHygieneOptions): Hygiene | undefined {
  const { config, metrics } = options;
  const hygiene = new Hygiene({
    config,
    logger: options.logger,
    env: options.env,
    withhold: (host, key, reason) => options.runner.withhold(host, key, reason),
    onChange: () => options.onChange(),
    onSecurityReport: (report) => {
      const standing = hygiene.security?.state(report.host)?.findings.map((f) => f.id) ?? [];
      const result = report.findings.length > 0 ? 'findings' : report.error === null ? 'clean' : 'error';
      metrics.securityCheck(report.host, report.pool, result, standing);
    },
    onDnsblLookup: (host, result) => {
      const listed = hygiene.dnsbl?.verdicts(host.host).find((v) => v.zone === result.zone)?.listed ?? false;
      metrics.dnsblLookup(host.host, result.zone, result.status, listed);
    },
  });
  if (!hygiene.enabled) return undefined;
  for (const host of hygiene.dnsbl?.hosts ?? []) for (const zone of config.dnsbl?.zones ?? []) metrics.declareDnsbl(host.host, zone);
  return hygiene;
}

/**
 * Swaps the checks at a reload's commit: the new ones take over what the old ones knew, set the
 * holds, and start; the old ones stop. `next` is undefined when the new config has no checks.
 */
export function swapHygiene(previous: Hygiene | undefined, next: Hygiene | undefined, options: { config: Config; runner: Pick<ProbeRunner, 'withhold'>; metrics: Metrics }): void {
  const { config, runner, metrics } = options;
  if (next) next.adopt(previous);
  for (const pool of config.pools) {
    for (const host of pool.hosts) {
      if (!next) for (const key of ['security', 'dnsbl'] as const) runner.withhold(host.name, key, undefined);
      // a pool without checks (any more): its hosts' finding series go
      if (!pool.security) metrics.securityCheckCleared(host.name, pool.name);
    }
  }
  void previous?.stop();
  void next?.start();
}

/** A host's security, DNSBL and hold fields of /api/state. */
export function apiHygiene(hygiene: Hygiene, host: string): Required<Pick<ApiHost, 'security' | 'dnsbl' | 'withheld'>> {
  const seen = hygiene.of(host);
  const security = seen.security;
  return {
    security: security
      ? { onFinding: security.onFinding, findings: security.findings, at: security.last?.at ?? null, error: security.last?.error ?? null, notes: security.last?.notes ?? [] }
      : null,
    dnsbl: seen.dnsbl.map((v) => ({ zone: v.zone, listed: v.listed, status: v.last.status, codes: v.last.codes, reason: v.last.reason, at: v.last.at })),
    withheld: seen.withheld,
  };
}
