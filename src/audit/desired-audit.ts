// `audit --config`: the zone mxpool would publish with every host healthy, audited before any
// record goes out. Names outside the zone go to the live resolver only when a nameserver is given.
import type { Config } from '../config/schema.ts';
import type { DesiredZone, HealthSnapshot, RecordSet } from '../model.ts';
import type { RetiredAddress } from '../auth/senders.ts';
import { allHealthy, desired } from '../desired.ts';
import { liveResolver } from './live-resolver.ts';
import { runAudit, type AuditReport } from './run.ts';
import type { HygieneFacts } from './types.ts';
import { zoneResolver } from './zone-resolver.ts';
import { configTransportSources, type TransportSources } from './transport-sources.ts';
import { transportFromProbes } from '../auth/transport.ts';
import { ProbeRunner } from '../probe/runner.ts';
import type { ProbeResult } from '../probe/types.ts';
import { silentLogger } from '../log.ts';

export async function auditConfig(config: Config, options: { nameserver?: string; now?: number } = {}): Promise<AuditReport> {
  const now = options.now ?? Date.now();
  const health = allHealthy(config, now);
  // DANE compares TLSA with the keys the hosts present: one probe round shows them (bounded by probe.timeout)
  const results = config.auth.dane ? await probeOnce(config) : new Map<string, ProbeResult>();
  const transport = transportFromProbes(config, results, now);
  const zone = desired(config, health, { serial: 1, now, transport });
  const outside = options.nameserver ? liveResolver({ nameserver: options.nameserver }) : undefined;
  const sources = configTransportSources(config, transport.presented ?? new Map());
  return runAudit({ domain: config.zone, source: 'desired', resolver: zoneResolver(config.zone, zone.sets, outside), config, health, now, transport: sources });
}

async function probeOnce(config: Config): Promise<Map<string, ProbeResult>> {
  const runner = new ProbeRunner({ config, logger: silentLogger });
  try {
    return await runner.probeAllOnce();
  } finally {
    await runner.stop();
  }
}

/**
 * Hosts the zone keeps out of MX on purpose — a name the MTA-STS policy has not named for one TTL
 * yet, a DANE mismatch with onMismatch: withdraw — count as not healthy for the pool rules, so
 * `pool-mx-mismatch` does not report a deliberate wait as a fault.
 */
export function withoutWithheld(health: HealthSnapshot, zone: Pick<DesiredZone, 'sets' | 'transport'>): HealthSnapshot {
  const candidates = [...Object.keys(zone.transport?.heldMx ?? {}), ...Object.keys(zone.transport?.stsWaiting ?? {}), ...Object.keys(zone.transport?.mismatches ?? {})];
  if (candidates.length === 0) return health;
  const inMx = new Set(zone.sets.filter((set) => set.type === 'MX').flatMap((set) => set.values.map((v) => (v.data.type === 'MX' ? v.data.exchange : ''))));
  const adjusted = new Map(health);
  for (const host of candidates) {
    const entry = health.get(host);
    if (entry?.state === 'healthy' && !inMx.has(host)) adjusted.set(host, { ...entry, state: 'unhealthy' });
  }
  return adjusted;
}

/**
 * For `serve`: audits the zone as published now (the record sets last handed to the nameserver or
 * providers) against the config and the live health, so pool consistency uses the real states.
 */
export async function auditPublished(
  config: Config,
  sets: readonly RecordSet[],
  health: HealthSnapshot,
  options: { nameserver?: string; now?: number; retired?: readonly RetiredAddress[]; hygiene?: HygieneFacts; transport?: TransportSources } = {},
): Promise<AuditReport> {
  const outside = options.nameserver ? liveResolver({ nameserver: options.nameserver }) : undefined;
  const resolver = zoneResolver(config.zone, sets, outside);
  return runAudit({ domain: config.zone, source: 'desired', resolver, config, health, now: options.now ?? Date.now(), ...(options.retired ? { retired: options.retired } : {}), ...(options.hygiene ? { hygiene: options.hygiene } : {}), ...(options.transport ? { transport: options.transport } : {}) });
}
