// The report writers by --format name.
import type { AuditReport } from '../run.ts';
import { jsonReport } from './json.ts';
import { markdownReport } from './markdown.ts';
import { sarifReport } from './sarif.ts';
import { textReport } from './text.ts';

export const FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export function writeReport(report: AuditReport, format: Format, options: { colour?: boolean; version?: string } = {}): string {
  switch (format) {
    case 'json':
      return jsonReport(report);
    case 'markdown':
      return markdownReport(report);
    case 'sarif':
      return sarifReport(report, options.version);
    default:
      return textReport(report, { colour: options.colour ?? false });
  }
}
