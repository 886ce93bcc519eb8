// The Markdown report, for a pull-request comment: a summary line, one table of findings, the
// SPF lookup tree folded away.
import { ruleById } from '../registry.ts';
import type { AuditReport } from '../run.ts';
import { rfcUrl, type Finding } from '../types.ts';

const ICONS = { error: '❌', warning: '⚠️', info: 'ℹ️' } as const;

/** Table cells: pipes and newlines would break the row. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/`/g, "'");
}

/** The findings as one Markdown table (severity, rule, record, finding, RFC link). */
export function findingsTable(findings: readonly Finding[]): string[] {
  const lines = ['| | rule | record | finding | RFC |', '|---|---|---|---|---|'];
  for (const f of findings) {
    const rule = ruleById(f.id);
    const rfc = rule ? `[${f.rfc}](${rfcUrl(rule.rfc)})` : f.rfc;
    lines.push(`| ${ICONS[f.severity]} ${f.severity} | \`${f.id}\` | \`${cell(f.record)}\` | ${cell(f.message)} | ${rfc} |`);
  }
  return lines;
}

export function markdownReport(report: AuditReport): string {
  const { errors, warnings, infos } = report.summary;
  const where = report.source === 'desired' ? 'the zone mxpool would publish' : 'live DNS';
  const lines = [`### mxpool audit: \`${report.domain}\` (${where})`, '', `**${errors}** error(s), **${warnings}** warning(s), **${infos}** info`, ''];
  if (report.findings.length > 0) lines.push(...findingsTable(report.findings));
  else lines.push('No findings.');
  lines.push('', '<details><summary>SPF lookup tree</summary>', '', '```', ...report.spfTree, '```', '', '</details>', '');
  return `${lines.join('\n')}\n`;
}
