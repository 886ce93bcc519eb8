// CSV of many domains, RFC 4180: one header line, one row per domain
// `domain,errors,warnings,infos,ids` (ids: the domain's distinct rule ids, worst first, separated
// by spaces), CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF (quotes doubled).
import type { FleetReport } from './fleet.ts';
import { ruleIds } from './fleet.ts';

export const CSV_HEADER = ['domain', 'errors', 'warnings', 'infos', 'ids'] as const;

export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvReport(report: FleetReport): string {
  const rows = [CSV_HEADER.map(csvField).join(',')];
  for (const domain of report.domains) {
    const { errors, warnings, infos } = domain.summary;
    rows.push([domain.domain, errors, warnings, infos, ruleIds(domain).join(' ')].map(csvField).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
