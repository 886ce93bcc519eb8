// The text report of many domains: the summary table first (one row per domain, in input order),
// the totals, then the findings of each domain that has any. The SPF lookup tree is shown only for
// a domain with an SPF finding at warning or above: it is what explains such a finding.
import type { FleetReport } from './fleet.ts';
import { ruleIds, sourcesLabel } from './fleet.ts';
import { findingLines, painter, summaryLine } from './text.ts';

export function fleetTextReport(report: FleetReport, options: { colour?: boolean } = {}): string {
  const paint = painter(options.colour ?? false);
  const s = report.summary;
  const lines = [`audit of ${s.domains} domain(s) (${sourcesLabel(report)}), ${report.generatedAt}`, ''];
  const width = Math.max(6, ...report.domains.map((d) => d.domain.length));
  lines.push(paint.bold(`${'DOMAIN'.padEnd(width)}  ERRORS  WARNINGS  INFOS  RULES`));
  for (const domain of report.domains) {
    const { errors, warnings, infos } = domain.summary;
    const counts = `${String(errors).padStart(6)}  ${String(warnings).padStart(8)}  ${String(infos).padStart(5)}`;
    const row = `${domain.domain.padEnd(width)}  ${counts}  ${ruleIds(domain).join(' ')}`.trimEnd();
    lines.push(errors > 0 ? paint.severity('error', row) : row);
  }
  lines.push('', `${s.domains} domain(s), ${s.withErrors} with errors: ${summaryLine(s, paint)}; ${s.queries} DNS queries sent`, '');
  for (const domain of report.domains) {
    if (domain.findings.length === 0) continue;
    lines.push(paint.bold(`== ${domain.domain}`), '', ...findingLines(domain.findings, paint, '  '));
    const spfProblem = domain.findings.some((f) => f.id.startsWith('spf-') && f.severity !== 'info');
    if (spfProblem && domain.spfTree.length > 0) lines.push(`  ${paint.bold('SPF lookup tree')}`, ...domain.spfTree.map((line) => `    ${line}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
