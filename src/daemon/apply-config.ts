// A reload's two steps over the parts of a running `serve`.
// - prepareReload: everything that can fail or take time, while the old config keeps running:
//   read the new CA file, build new provider clients (the zone's and the tenants'), build the
//   tenant zones' parts, and probe the hosts the new config adds — once, as `serve` does at a
//   start-up without state, so a new host is published only after a probe passed, and a reload
//   that adds and removes hosts changes the serial once.
// - the commit it returns: cannot fail and runs in one synchronous step — swap the frozen config,
//   hand it to every part, publish. No query, probe result or API call sees a mix of two configs.
import type { Config } from '../config/schema.ts';
import { MxpoolError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DesiredZone } from '../model.ts';
import { hostChanges, type HostChanges } from '../config/diff.ts';
import { probeOptionsFrom } from '../probe/options.ts';
import type { ProbeRunner } from '../probe/runner.ts';
import type { ProbeResult } from '../probe/types.ts';
import type { StateWriter } from '../state/writer.ts';
import type { AuditLoop } from './audit-loop.ts';
import type { HostGauges } from './host-gauges.ts';
import type { LiveConfig } from './live-config.ts';
import type { ProbeMemory } from './probe-memory.ts';
import type { ZonePublisher } from './publisher.ts';
import { announceRetired, configAddresses, retiredAtStart } from './retired.ts';
import { withDeadline } from './deadline.ts';
import type { NameserverService, SyncService, TenantSyncService } from './services.ts';
import { TenantZones } from '../tenants/zones.ts';
import { servedTenants } from '../tenants/parts.ts';

export interface ReloadParts {
  live: LiveConfig;
  runner: ProbeRunner;
  publisher: ZonePublisher;
  gauges: HostGauges;
  memory: ProbeMemory;
  stateWriter: StateWriter;
  auditLoop: AuditLoop | undefined;
  syncer: SyncService | undefined;
  tenantSync: TenantSyncService | undefined;
  nameserver: NameserverService | undefined;
  logger: Logger;
  /** the daemon's own bookkeeping (which hosts the first round still waits for) */
  onHosts: (changes: HostChanges) => void;
  /** MTA-STS and DANE bookkeeping (src/daemon/transport.ts): the new policy names, hosts gone */
  transport?: { reconfigure(next: Config, at: number): void };
}

/** Applies the prepared reload at `at` (epoch ms) and returns the zone served after it. */
export type Commit = (at: number) => DesiredZone;

export async function prepareReload(parts: ReloadParts, next: Config): Promise<Commit> {
  const { live, runner, logger } = parts;
  if (live.current.cluster) {
    // the nodes of a cluster vote on one host list and compare config digests: one node alone must
    // not start running another config (docs/cluster.md)
    throw new MxpoolError('CONFIG_INVALID', 'cluster', 'serve runs in a cluster, whose nodes must agree on one config: a reload is not supported there; restart the nodes one by one with the new file');
  }
  // reading the config ran without a break (10,000 tenant files: seconds on a busy machine); let the
  // queries and probes that arrived meanwhile be answered before the next long step
  await new Promise((resolve) => setImmediate(resolve));
  const probeOptions = probeOptionsFrom(next); // reads probe.caFile: a renewed CA is picked up here
  const swapProviders = parts.syncer?.prepare?.(next);
  const swapTenantSyncers = parts.tenantSync?.prepare?.(next);
  // the tenant zones of the new config (their parts built now, while the old ones serve); a zone
  // whose content is the same keeps its version and serial
  const tenants = new TenantZones(next, parts.publisher.tenants ? { previous: parts.publisher.tenants } : {});
  const goneZones = removedTenants(live.current, next);
  const changes = hostChanges(live.current, next);
  const first = new Map<string, ProbeResult>();
  if (changes.added.length > 0) {
    // each probe ends within probe.timeout; a queue behind the concurrency limit is cut off here and
    // the hosts it did not reach start unprobed (out of DNS, probed at once), as at start-up
    const deadlineMs = next.probe.timeout * 2 + 1000;
    const targets = changes.added.map((host) => ({ name: host.name, address: host.address, port: host.port }));
    const finished = await withDeadline(runner.probeFirst(targets, probeOptions, first), deadlineMs);
    if (!finished) logger.warn({ probed: first.size, of: targets.length, waitedMs: deadlineMs }, 'reload: not every added host answered its first probe in time; the others start unprobed');
  }

  return (at) => {
    const previous = live.current;
    // Outbound addresses that no outbound host holds any more keep their SPF grace, by the same
    // rules as across a restart; the longer TTL counts (receivers cached SPF with the old one).
    const { retired, found } = retiredAtStart(
      { ...next, ttl: Math.max(previous.ttl, next.ttl) },
      { addresses: configAddresses(previous), retired: parts.publisher.retired, hosts: [...runner.snapshot().values()] },
      at,
    );
    live.swap(next, at);
    runner.reconfigure(next, { probeOptions, first });
    // (a readdressed host's first probe at its new endpoint is recorded after this: the runner's
    // probe event records it in a microtask)
    for (const gone of changes.removed) parts.memory.forget(gone.name);
    parts.gauges.reconfigure(next);
    parts.onHosts(changes);
    parts.transport?.reconfigure(next, at);
    const previousTenants = parts.publisher.tenants;
    if (previousTenants) tenants.carryOver(previousTenants); // versions published since the prepare
    parts.publisher.reconfigure(next, retired, tenants);
    announceRetired(logger, found, found);
    swapProviders?.();
    swapTenantSyncers?.();
    // tenants removed: their names are REFUSED from now on, and no syncer writes them any more
    if (goneZones.length > 0) parts.nameserver?.removeZones?.(goneZones);
    parts.nameserver?.reconfigure?.(next);
    parts.auditLoop?.setInterval(next.audit.interval);
    const zone = parts.publisher.publishNow('config reload');
    parts.stateWriter.flush(true); // the new addresses and retirements survive a crash right after
    return zone;
  };
}

/** Tenant zones `previous` served that `next` no longer serves (gone, or now `dns: external`). */
function removedTenants(previous: Config, next: Config): string[] {
  const kept = new Set(servedTenants(next).map((tenant) => tenant.zone));
  return servedTenants(previous).map((tenant) => tenant.zone).filter((zone) => !kept.has(zone));
}
