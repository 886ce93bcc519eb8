// A report of many domains (`audit --domains`, `audit --config` over every zone of a config):
// today's per-domain reports in input order plus one summary, the documented shape (docs/audit.md)
// `{ generatedAt, domains: [<report>], summary: { domains, withErrors, errors, warnings, infos, queries } }`.
import { failsAt, type AuditReport } from '../run.ts';

export interface FleetSummary {
  domains: number;
  /** domains with at least one error finding */
  withErrors: number;
  errors: number;
  warnings: number;
  infos: number;
  /** DNS queries actually sent for the whole run (0 when nothing was asked of the network) */
  queries: number;
}

export interface FleetReport {
  generatedAt: string;
  domains: AuditReport[];
  summary: FleetSummary;
}

/** Builds the report of many domains; `now` (epoch ms, default Date.now()) is when the run started. */
export function fleetReport(domains: readonly AuditReport[], options: { queries: number; now?: number }): FleetReport {
  const sum = (pick: (r: AuditReport) => number) => domains.reduce((total, report) => total + pick(report), 0);
  return {
    generatedAt: new Date(options.now ?? Date.now()).toISOString(),
    domains: [...domains],
    summary: {
      domains: domains.length,
      withErrors: domains.filter((r) => r.summary.errors > 0).length,
      errors: sum((r) => r.summary.errors),
      warnings: sum((r) => r.summary.warnings),
      infos: sum((r) => r.summary.infos),
      queries: options.queries,
    },
  };
}

/** The exit-code rule of many domains: true when any domain has a finding at or above the threshold. */
export function fleetFailsAt(report: FleetReport, threshold: 'error' | 'warning'): boolean {
  return report.domains.some((domain) => failsAt(domain, threshold));
}

/** A domain's distinct rule ids, worst first (findings are sorted by severity), for tables and CSV. */
export function ruleIds(report: AuditReport): string[] {
  return [...new Set(report.findings.map((f) => f.id))];
}

/** How the domains were read: "live DNS", "the zones mxpool would publish", or both. */
export function sourcesLabel(report: FleetReport): string {
  const sources = new Set(report.domains.map((d) => d.source));
  if (sources.size === 2) return 'live DNS and the zones mxpool would publish';
  return sources.has('desired') ? 'the zones mxpool would publish' : 'live DNS';
}
