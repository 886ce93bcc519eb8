// `audit --domains`: every domain of a list audited live over ONE resolver (one cache, one query
// budget), at most `concurrency` domains at once; reports in input order. A domain whose nameservers
// fail costs its own timeouts (then dns-temperror) while the others go on; nothing one domain's
// DNS does can stop the run.
import { ConcurrencyLimit } from '../../probe/limit.ts';
import type { LiveDns } from '../live-resolver.ts';
import { fleetReport, type FleetReport } from '../report/fleet.ts';
import { runAudit, type AuditReport } from '../run.ts';

export interface FleetAuditOptions {
  domains: readonly string[];
  dns: LiveDns;
  /** DKIM selectors checked at every domain */
  dkimSelectors?: readonly string[];
  /** domains audited at once */
  concurrency: number;
  /** called as each domain's report is ready (progress) */
  onReport?: (report: AuditReport) => void;
  /** epoch ms when the run started (default Date.now()) */
  now?: number;
}

export async function auditDomains(options: FleetAuditOptions): Promise<FleetReport> {
  const started = options.now ?? Date.now();
  const limit = new ConcurrencyLimit(options.concurrency);
  const reports = await Promise.all(
    options.domains.map((domain) =>
      limit.run(async () => {
        const report = await runAudit({ domain, source: 'live', resolver: options.dns.resolver, dkimSelectors: options.dkimSelectors ?? [] });
        options.onReport?.(report);
        return report;
      }),
    ),
  );
  return fleetReport(reports, { queries: options.dns.queries(), now: started });
}
