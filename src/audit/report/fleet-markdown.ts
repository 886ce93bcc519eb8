// The Markdown report of many domains: totals, the summary table (one row per domain, in input
// order), then a section with the findings table of each domain that has findings.
import type { FleetReport } from './fleet.ts';
import { ruleIds, sourcesLabel } from './fleet.ts';
import { cell, findingsTable } from './markdown.ts';

export function fleetMarkdownReport(report: FleetReport): string {
  const s = report.summary;
  const lines = [
    `### mxpool audit: ${s.domains} domain(s) (${sourcesLabel(report)})`,
    '',
    `**${s.withErrors}** of ${s.domains} domain(s) with errors: **${s.errors}** error(s), **${s.warnings}** warning(s), **${s.infos}** info; ${s.queries} DNS queries sent`,
    '',
    '| domain | errors | warnings | infos | rules |',
    '|---|---:|---:|---:|---|',
  ];
  for (const domain of report.domains) {
    const { errors, warnings, infos } = domain.summary;
    const ids = ruleIds(domain).map((id) => `\`${id}\``).join(' ');
    lines.push(`| \`${cell(domain.domain)}\` | ${errors} | ${warnings} | ${infos} | ${ids} |`);
  }
  for (const domain of report.domains) {
    if (domain.findings.length === 0) continue;
    const { errors, warnings, infos } = domain.summary;
    lines.push('', `#### \`${cell(domain.domain)}\``, '', `**${errors}** error(s), **${warnings}** warning(s), **${infos}** info`, '', ...findingsTable(domain.findings));
  }
  return `${lines.join('\n')}\n`;
}
