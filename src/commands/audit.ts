// `mxpool audit (--config F [--zone Z] [--live] | --domain D | --domains FILE) [--dkim-selector S]... [--nameserver ip:port]
//  [--concurrency N] [--timeout T] [--format text|json|markdown|sarif|csv] [--fail-on error|warning]`:
// 0 clean, 1 findings at or above --fail-on (any domain), 2 usage.
import { Command, Option } from 'commander';
import type { CommandContext } from '../cli.ts';
import { parseDuration } from '../config/duration.ts';
import { UsageError } from '../errors.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, liveDns } from '../audit/live-resolver.ts';
import { FLEET_FORMATS, fleetFailsAt, fleetReport, writeFleetReport, writeReport, type FleetFormat, type FleetReport } from '../audit/report/index.ts';
import { failsAt, runAudit, type AuditReport } from '../audit/run.ts';
import { auditZones, type ZoneJob } from '../audit/fleet/run.ts';
import { isDomainName, readDomainList } from '../audit/fleet/domains-file.ts';
import { showProgress } from './progress.ts';

interface AuditOptions {
  config?: string;
  live?: boolean;
  zone?: string;
  domain?: string;
  domains?: string;
  dkimSelector: string[];
  nameserver?: string;
  concurrency: string;
  timeout: string;
  format: FleetFormat;
  failOn: 'error' | 'warning';
  logLevel?: string;
}

const MAX_CONCURRENCY = 1024;
const MAX_TIMEOUT_MS = 60_000;

export function auditCommand(context: CommandContext): Command {
  return new Command('audit')
    .description('lint SPF, DMARC, DKIM, MX, PTR and pool consistency: of the zone a config would publish (--config), or of live DNS (--domain, or every domain of a list with --domains)')
    .option('-c, --config <file>', 'audit the zone this config would publish (every host healthy), before publishing')
    .option('--live', 'with --config: audit every zone the config names (the top-level zone, every tenant) as it resolves live, against what the config says')
    .option('--zone <zone>', 'with --config: audit only this zone (the top-level zone or a tenant zone); default: every zone the config publishes')
    .option('-d, --domain <domain>', 'audit the live DNS of this domain')
    .option('--domains <file>', 'audit the live DNS of every domain in this file (one a line, # comments)')
    .option('--dkim-selector <selector>', 'a DKIM selector to check (repeat for several; with --domain/--domains)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--nameserver <ip:port>', 'ask this nameserver (default: the system resolvers; with --config: only for names outside the zone)')
    .option('--concurrency <n>', 'DNS queries in flight at once (and domains audited at once)', String(DEFAULT_CONCURRENCY))
    .option('--timeout <duration>', 'how long one DNS query waits for its answer (each is tried twice), e.g. 500ms, 5s', `${DEFAULT_TIMEOUT_MS / 1000}s`)
    .addOption(new Option('--format <format>', 'report format (csv: one row per domain)').choices(FLEET_FORMATS as unknown as string[]).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning']).default('error'))
    .action(async (options: AuditOptions) => {
      const modes = [options.config, options.domain, options.domains].filter((m) => m !== undefined);
      if (modes.length !== 1) throw new UsageError('audit: give exactly one of --config FILE, --domain DOMAIN or --domains FILE');
      if (options.live && !options.config) throw new UsageError('audit: --live goes with --config FILE');
      if (options.zone !== undefined && !options.config) throw new UsageError('audit: --zone goes with --config FILE');
      if (options.config && options.dkimSelector.length > 0) throw new UsageError('audit: --dkim-selector goes with --domain or --domains (with --config the selectors come from auth.dkim)');
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) throw new UsageError(`audit: --concurrency: expected a whole number from 1 to ${MAX_CONCURRENCY}, got "${options.concurrency}"`);
      const timeoutMs = parseDuration(options.timeout);
      if (timeoutMs === undefined || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) throw new UsageError(`audit: --timeout: expected a duration from 1ms to 60s such as 500ms or 5s, got "${options.timeout}"`);
      const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
      const live = { timeoutMs, concurrency, ...(options.nameserver ? { nameserver: options.nameserver } : {}) };

      if (options.domains || options.live) {
        let jobs: ZoneJob[];
        if (options.config) {
          const [{ loadConfig }, { configZoneJobs }] = await Promise.all([import('../config/load.ts'), import('../audit/fleet/config-zones.ts')]);
          const config = loadConfig(options.config);
          jobs = configZoneJobs(config, 'all').filter((job) => options.zone === undefined || job.domain === options.zone.toLowerCase().replace(/\.$/, ''));
          if (jobs.length === 0) throw new UsageError(`audit: --zone ${options.zone} is not a zone of ${options.config} (its top-level zone is ${config.zone}; it has ${config.tenants.length} tenant zones)`);
          const top = jobs.find((job) => job.domain === config.zone);
          if (top) {
            // the relays as they are now: the security checks and DNSBL lookups the config asks for, once
            const [{ hygieneOnce }, { createLogger }] = await Promise.all([import('../audit/hygiene-once.ts'), import('../log.ts')]);
            const hygiene = await hygieneOnce(config, createLogger(options.logLevel ?? 'info'), process.env);
            if (hygiene) top.hygiene = hygiene;
            // the MTA-STS policy fetched and the MX keys probed as a sender would (mxpool made both
            // the policy and its id: mta-sts-id-stale is judged against the text served)
            top.liveTransport = { helo: config.probe.helo ?? (await import('../probe/options.ts')).defaultHelo(config.zone), ...(config.probe.caFile !== undefined ? { caFile: config.probe.caFile } : {}) };
          }
        } else {
          jobs = readDomainList(options.domains as string).domains.map((domain) => ({ domain, dkimSelectors: options.dkimSelector }));
        }
        const dns = liveDns(live);
        let done = 0;
        const stop = showProgress({ line: () => `auditing: ${done}/${jobs.length} domains, ${dns.queries()} DNS queries` });
        let report: FleetReport;
        try {
          report = await auditZones({ jobs, dns, concurrency, onReport: () => void done++ });
        } finally {
          stop();
          dns.close();
        }
        process.stdout.write(writeFleetReport(report, options.format, { colour }));
        context.exitCode = fleetFailsAt(report, options.failOn) ? 1 : 0;
        return;
      }

      let report: AuditReport;
      let queries = 0;
      if (options.config) {
        // loaded here, not at start-up: a live audit needs neither the config schema nor desired()
        const [{ loadConfig }, { auditConfig }] = await Promise.all([import('../config/load.ts'), import('../audit/desired-audit.ts')]);
        const config = loadConfig(options.config);
        if (config.tenants.length > 0 || options.zone !== undefined) {
          // every zone the config publishes: one report per domain (or the one asked for)
          const { auditConfigZones } = await import('../audit/tenant-audit.ts');
          const reports = await auditConfigZones(config, { ...(options.zone !== undefined ? { zone: options.zone } : {}), ...(options.nameserver ? { nameserver: options.nameserver } : {}) });
          if (!reports) throw new UsageError(`audit: --zone ${options.zone} is not a zone of ${options.config} (its top-level zone is ${config.zone}; it has ${config.tenants.length} tenant zones)`);
          if (options.zone === undefined) {
            const fleet = fleetReport(reports, { queries: 0 });
            process.stdout.write(writeFleetReport(fleet, options.format, { colour }));
            context.exitCode = fleetFailsAt(fleet, options.failOn) ? 1 : 0;
            return;
          }
          report = reports[0] as AuditReport;
        } else {
          report = await auditConfig(config, options.nameserver ? { nameserver: options.nameserver } : {});
        }
      } else {
        const domain = (options.domain as string).toLowerCase().replace(/\.$/, '');
        if (!isDomainName(domain)) throw new UsageError(`audit: --domain: "${options.domain}" is not a domain name`);
        const dns = liveDns(live);
        try {
          // the MTA-STS policy fetched over HTTPS and the MX hosts' keys probed, as a sender would
          const [{ liveTransportSources }, { defaultHelo }] = await Promise.all([import('../audit/transport-sources.ts'), import('../probe/options.ts')]);
          const transport = liveTransportSources(dns.resolver, { helo: defaultHelo(domain) });
          report = await runAudit({ domain, source: 'live', resolver: dns.resolver, dkimSelectors: options.dkimSelector, transport });
        } finally {
          queries = dns.queries();
          dns.close();
        }
      }
      // CSV is a table of domains: one domain is a table of one row
      process.stdout.write(options.format === 'csv' ? writeFleetReport(fleetReport([report], { queries }), 'csv') : writeReport(report, options.format, { colour }));
      context.exitCode = failsAt(report, options.failOn) ? 1 : 0;
    });
}
