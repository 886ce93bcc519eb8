// The JSON report, exactly the SPEC.md "Audit report (JSON)" shape.
import type { AuditReport } from '../run.ts';

export function jsonReport(report: AuditReport): string {
  const shaped = {
    domain: report.domain,
    source: report.source,
    generatedAt: report.generatedAt,
    findings: report.findings.map((f) => ({ id: f.id, severity: f.severity, record: f.record, message: f.message, rfc: f.rfc })),
    summary: { errors: report.summary.errors, warnings: report.summary.warnings, infos: report.summary.infos },
  };
  return `${JSON.stringify(shaped, null, 2)}\n`;
}
