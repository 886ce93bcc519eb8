// Audits of many zones over ONE resolver (one cache, one query budget), at most `concurrency`
// zones at once, reports in input order: `audit --domains` (every domain of a list) and
// `audit --config F --live` (every zone of a config). A zone whose nameservers fail costs its own
// timeouts (then dns-temperror) while the others go on; nothing one zone's DNS does can stop the run.
import type { Config } from '../../config/schema.ts';
import { ConcurrencyLimit } from '../../probe/limit.ts';
import type { LiveDns } from '../live-resolver.ts';
import { fleetReport, type FleetReport } from '../report/fleet.ts';
import { runAudit, type AuditReport } from '../run.ts';
import type { TenantExpectation } from '../rules/tenant.ts';
import type { HygieneFacts } from '../types.ts';
import { liveTransportSources } from '../transport-sources.ts';
import { readCaFile } from '../../probe/options.ts';

/** One zone to audit live, and what is known of what it must hold. */
export interface ZoneJob {
  domain: string;
  dkimSelectors: readonly string[];
  /** the config (the top-level zone: pool rules) */
  config?: Config;
  /** a tenant of the config (tenant rules) */
  tenant?: TenantExpectation;
  /** what the relay security checks and DNSBL lookups found (relay- and dnsbl- rules) */
  hygiene?: HygieneFacts;
  /**
   * fetch the MTA-STS policy and probe the MX hosts' keys live, as `audit --domain` does (the
   * mta-sts- and dane- rules that need them); absent: those rules skip (`--domains`: DNS only)
   */
  liveTransport?: { helo: string; caFile?: string };
}

export interface ZonesAuditOptions {
  jobs: readonly ZoneJob[];
  dns: LiveDns;
  /** zones audited at once */
  concurrency: number;
  /** called as each zone's report is ready (progress) */
  onReport?: (report: AuditReport) => void;
  /** epoch ms when the run started (default Date.now()) */
  now?: number;
}

export async function auditZones(options: ZonesAuditOptions): Promise<FleetReport> {
  const started = options.now ?? Date.now();
  const limit = new ConcurrencyLimit(options.concurrency);
  const reports = await Promise.all(
    options.jobs.map((job) =>
      limit.run(async () => {
        const report = await runAudit({
          domain: job.domain,
          source: 'live',
          resolver: options.dns.resolver,
          dkimSelectors: job.dkimSelectors,
          ...(job.config ? { config: job.config } : {}),
          ...(job.tenant ? { tenant: job.tenant } : {}),
          ...(job.hygiene ? { hygiene: job.hygiene } : {}),
          ...(job.liveTransport ? { transport: liveTransportSources(options.dns.resolver, { helo: job.liveTransport.helo, ...(job.liveTransport.caFile !== undefined ? { ca: readCaFile(job.liveTransport.caFile) } : {}) }) } : {}),
        });
        options.onReport?.(report);
        return report;
      }),
    ),
  );
  return fleetReport(reports, { queries: options.dns.queries(), now: started });
}
