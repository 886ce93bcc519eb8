// The report writers by --format name: one domain (`writeReport`) or many (`writeFleetReport`).
import type { AuditReport } from '../run.ts';
import { csvReport } from './csv.ts';
import type { FleetReport } from './fleet.ts';
import { fleetMarkdownReport } from './fleet-markdown.ts';
import { fleetTextReport } from './fleet-text.ts';
import { fleetJsonReport, jsonReport } from './json.ts';
import { markdownReport } from './markdown.ts';
import { fleetSarifReport, sarifReport } from './sarif.ts';
import { textReport } from './text.ts';

export const FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

/** Formats of a report of many domains: the four above and CSV (one row per domain). */
export const FLEET_FORMATS = [...FORMATS, 'csv'] as const;
export type FleetFormat = (typeof FLEET_FORMATS)[number];

export interface WriteOptions {
  /** ANSI colours in the text format (stdout is a terminal and NO_COLOR unset) */
  colour?: boolean;
  /** mxpool's version, for SARIF */
  version?: string;
}

export function writeReport(report: AuditReport, format: Format, options: WriteOptions = {}): string {
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

export function writeFleetReport(report: FleetReport, format: FleetFormat, options: WriteOptions = {}): string {
  switch (format) {
    case 'json':
      return fleetJsonReport(report);
    case 'csv':
      return csvReport(report);
    case 'markdown':
      return fleetMarkdownReport(report);
    case 'sarif':
      return fleetSarifReport(report, options.version);
    default:
      return fleetTextReport(report, { colour: options.colour ?? false });
  }
}

export { fleetReport, fleetFailsAt, type FleetReport, type FleetSummary } from './fleet.ts';
