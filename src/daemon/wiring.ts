// Builds the real services `serve` wires together from the config: the built-in nameserver
// (when `nameserver` is set), the provider syncers (when `providers` names one), the auditor.
// The only place in src/ (with cli.ts) that reaches into providers/ (DESIGN.md).
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { createSyncer } from '../../providers/index.ts';
import { DnsServer } from '../dns/server.ts';
import { auditPublished } from '../audit/desired-audit.ts';
import type { NameserverService, Services } from './services.ts';

export function realServices(config: Config, logger: Logger, options: { random?: () => number } = {}): Services {
  const services: Services = {};
  const nameserver = config.nameserver;
  if (nameserver) {
    services.nameserver = (zone): NameserverService => {
      const server = new DnsServer({ nameserver, zone: config.zone, logger, ...(options.random ? { random: options.random } : {}) });
      server.setZone(zone); // loaded before the sockets open: the first query already gets the zone
      return {
        start: () => server.start(),
        setZone: (next) => server.setZone(next),
        stop: () => server.stop(),
        onQuery: (listener) => void server.on('query', listener),
        get listen() {
          return server.listening().udp;
        },
      };
    };
  }
  if (config.providers?.route53 || config.providers?.cloudflare) {
    services.syncer = () => createSyncer({ config, logger: logger.child({ component: 'sync' }) });
  }
  // The published zone as its own resolver: no lookups leave the machine from the daemon's audit.
  services.audit = async (zone, health, retired) => {
    // retired addresses in their grace period are expected in SPF, not stale authorisations
    const report = await auditPublished(config, zone.sets, health, retired ? { retired } : {});
    return { at: Date.parse(report.generatedAt), summary: report.summary, findings: report.findings };
  };
  return services;
}
