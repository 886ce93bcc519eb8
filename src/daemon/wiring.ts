// Builds the real services `serve` wires together from the config: the built-in nameserver
// (when `nameserver` is set), the provider syncers of the zone and of the tenants (their providers
// follow the config across reloads, so they exist even while no provider is configured), the auditor.
// The only place in src/ (with cli.ts) that reaches into providers/ (DESIGN.md).
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { createSyncer, createTenantSyncers, providerNames, providersForReload, providersMinTtl } from '../../providers/index.ts';
import { DnsServer } from '../dns/server.ts';
import { tsigKeysFromEnv } from './tsig-secrets.ts';
import { auditPublished, withoutWithheld } from '../audit/desired-audit.ts';
import type { NameserverService, Services, SyncService } from './services.ts';
import { configSource, type ConfigSource } from './live-config.ts';
import { servedTransportSources } from '../audit/transport-sources.ts';
import { readCaFile } from '../probe/options.ts';

export function realServices(config: Config | ConfigSource, logger: Logger, options: { random?: () => number; env?: Record<string, string | undefined> } = {}): Services {
  const live = configSource(config);
  const services: Services = {};
  const nameserver = live.current.nameserver;
  if (nameserver) {
    // read at start: an unset or broken secret stops serve before anything listens
    const keys = tsigKeysFromEnv(nameserver, options.env ?? process.env);
    services.nameserver = (zone): NameserverService => {
      const server = new DnsServer({ nameserver, zone: live.current.zone, logger, keys, stateDir: live.current.stateDir, ...(options.random ? { random: options.random } : {}) });
      server.setZone(zone); // loaded before the sockets open: the first query already gets the zone
      return {
        start: () => server.start(),
        setZone: (next) => server.setZone(next),
        setZones: (zones) => server.setZones(zones),
        removeZones: (zones) => server.removeZones(zones),
        stop: () => server.stop(),
        queryCounts: () => server.queryCounts(),
        get listen() {
          return server.listening().udp;
        },
        reconfigure: (next) => {
          if (next.nameserver) server.setTransfer(next.nameserver.transfer);
        },
      };
    };
  }
  services.syncer = (): SyncService => {
    const log = logger.child({ component: 'sync' });
    const syncer = createSyncer({ config: live.current, logger: log });
    return {
      start: () => syncer.start(),
      push: (zone) => syncer.push(zone),
      status: () => syncer.status(),
      onSync: (listener) => syncer.onSync(listener),
      stop: () => syncer.stop(),
      prepare: (next) => {
        const providers = providersForReload(live.current, next, syncer.providers(), log);
        return () => syncer.reconfigure(next, providers);
      },
    };
  };
  // tenant zones with providers of their own: one syncer each (providers/sync/tenants.ts); there
  // even while no tenant has providers, so that a reload can add some
  services.tenantSyncers = () => createTenantSyncers({ config: live.current, logger: logger.child({ component: 'sync' }) });
  services.ttlFloor = (config) => providersMinTtl(config);
  services.providerNames = (config) => providerNames(config);
  // The published zone as its own resolver: no lookups leave the machine from the daemon's audit.
  services.audit = async (zone, health, retired, hygiene, presented) => {
    // retired addresses in their grace period are expected in SPF, not stale authorisations
    const current = live.current;
    // the policy fetched from our own server trusts probe.caFile too (read per audit: it may renew)
    const ca = current.probe.caFile !== undefined ? readCaFile(current.probe.caFile) : undefined;
    const transport = servedTransportSources(current, presented ?? new Map(), zone.transport?.mismatches ?? {}, ca);
    // hosts kept out of MX on purpose (MTA-STS hold, DANE withdraw) are not a pool-mx-mismatch
    const report = await auditPublished(current, zone.sets, withoutWithheld(health, zone), { ...(retired ? { retired } : {}), ...(hygiene ? { hygiene } : {}), transport });
    return { at: Date.parse(report.generatedAt), summary: report.summary, findings: report.findings };
  };
  return services;
}
