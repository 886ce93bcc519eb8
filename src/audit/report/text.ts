// The text report: findings grouped by family, worst first, coloured when stdout is a terminal;
// the SPF lookup tree at the end.
import type { AuditReport } from '../run.ts';
import type { Finding, Severity } from '../types.ts';

const COLOURS: Record<Severity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m' };
const FAMILY_TITLES: Record<string, string> = { spf: 'SPF', dmarc: 'DMARC', dkim: 'DKIM', mx: 'MX', ptr: 'PTR', pool: 'Pools' };

export function familyOf(finding: Finding): string {
  return finding.id.split('-')[0] as string;
}

export function textReport(report: AuditReport, options: { colour?: boolean } = {}): string {
  const paint = (severity: Severity, text: string) => (options.colour ? `${COLOURS[severity]}${text}\x1b[0m` : text);
  const bold = (text: string) => (options.colour ? `\x1b[1m${text}\x1b[0m` : text);
  const lines: string[] = [`audit of ${report.domain} (${report.source === 'desired' ? 'the zone mxpool would publish' : 'live DNS'}), ${report.generatedAt}`, ''];
  for (const family of Object.keys(FAMILY_TITLES)) {
    const findings = report.findings.filter((f) => familyOf(f) === family);
    if (findings.length === 0) continue;
    lines.push(bold(FAMILY_TITLES[family] as string));
    for (const f of findings) {
      lines.push(`  ${paint(f.severity, f.severity.padEnd(7))} ${f.id}  ${f.message}`);
      lines.push(`          record: ${f.record}`);
      lines.push(`          see ${f.rfc}`);
    }
    lines.push('');
  }
  if (report.findings.length === 0) lines.push('no findings', '');
  lines.push(bold('SPF lookup tree'), ...report.spfTree.map((line) => `  ${line}`), '');
  const { errors, warnings, infos } = report.summary;
  lines.push(`${paint('error', `${errors} error(s)`)}, ${paint('warning', `${warnings} warning(s)`)}, ${paint('info', `${infos} info`)}`);
  return `${lines.join('\n')}\n`;
}
