// The text report: findings grouped by family, worst first, coloured when stdout is a terminal;
// the SPF lookup tree at the end.
import type { AuditReport } from '../run.ts';
import type { Finding, Severity } from '../types.ts';

const COLOURS: Record<Severity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m' };
const FAMILY_TITLES: Record<string, string> = { dns: 'DNS', tenant: 'Tenant', spf: 'SPF', dmarc: 'DMARC', dkim: 'DKIM', mx: 'MX', ptr: 'PTR', pool: 'Pools', 'mta-sts': 'MTA-STS', 'tls-rpt': 'TLS-RPT', dane: 'DANE' };
/** families whose name holds a dash, longest first: `mta-sts-missing` is family mta-sts, not mta */
const DASHED_FAMILIES = Object.keys(FAMILY_TITLES).filter((family) => family.includes('-')).sort((a, b) => b.length - a.length);

export function familyOf(finding: Finding): string {
  return DASHED_FAMILIES.find((family) => finding.id.startsWith(`${family}-`)) ?? (finding.id.split('-')[0] as string);
}

export interface Paint {
  severity(severity: Severity, text: string): string;
  bold(text: string): string;
}

export function painter(colour: boolean): Paint {
  return {
    severity: (severity, text) => (colour ? `${COLOURS[severity]}${text}\x1b[0m` : text),
    bold: (text) => (colour ? `\x1b[1m${text}\x1b[0m` : text),
  };
}

/** The findings grouped by family (known families first, in their order, then any other), `indent` before each line. */
export function findingLines(findings: readonly Finding[], paint: Paint, indent = ''): string[] {
  const lines: string[] = [];
  const families = [...new Set([...Object.keys(FAMILY_TITLES), ...findings.map(familyOf)])];
  for (const family of families) {
    const group = findings.filter((f) => familyOf(f) === family);
    if (group.length === 0) continue;
    lines.push(`${indent}${paint.bold(FAMILY_TITLES[family] ?? family.toUpperCase())}`);
    for (const f of group) {
      lines.push(`${indent}  ${paint.severity(f.severity, f.severity.padEnd(7))} ${f.id}  ${f.message}`);
      lines.push(`${indent}          record: ${f.record}`);
      lines.push(`${indent}          see ${f.rfc}`);
    }
    lines.push('');
  }
  return lines;
}

export function summaryLine(summary: { errors: number; warnings: number; infos: number }, paint: Paint): string {
  return `${paint.severity('error', `${summary.errors} error(s)`)}, ${paint.severity('warning', `${summary.warnings} warning(s)`)}, ${paint.severity('info', `${summary.infos} info`)}`;
}

export function textReport(report: AuditReport, options: { colour?: boolean } = {}): string {
  const paint = painter(options.colour ?? false);
  const lines: string[] = [`audit of ${report.domain} (${report.source === 'desired' ? 'the zone mxpool would publish' : 'live DNS'}), ${report.generatedAt}`, ''];
  lines.push(...findingLines(report.findings, paint));
  if (report.findings.length === 0) lines.push('no findings', '');
  lines.push(paint.bold('SPF lookup tree'), ...report.spfTree.map((line) => `  ${line}`), '');
  lines.push(summaryLine(report.summary, paint));
  return `${lines.join('\n')}\n`;
}
