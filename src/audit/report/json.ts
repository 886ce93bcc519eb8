// The JSON reports, exactly the documented shapes (docs/audit.md): "Audit report (JSON)" for one domain, and the
// report of many domains (a list of those plus a summary).
import type { AuditReport } from '../run.ts';
import type { FleetReport } from './fleet.ts';

/** One domain's report as a plain object in the documented key order (no SPF tree). */
export function reportObject(report: AuditReport) {
  return {
    domain: report.domain,
    source: report.source,
    generatedAt: report.generatedAt,
    findings: report.findings.map((f) => ({ id: f.id, severity: f.severity, record: f.record, message: f.message, rfc: f.rfc })),
    summary: { errors: report.summary.errors, warnings: report.summary.warnings, infos: report.summary.infos },
  };
}

export function jsonReport(report: AuditReport): string {
  return `${JSON.stringify(reportObject(report), null, 2)}\n`;
}

export function fleetJsonReport(report: FleetReport): string {
  const { domains, withErrors, errors, warnings, infos, queries } = report.summary;
  const shaped = { generatedAt: report.generatedAt, domains: report.domains.map(reportObject), summary: { domains, withErrors, errors, warnings, infos, queries } };
  return `${JSON.stringify(shaped, null, 2)}\n`;
}
