// PURE: probe results -> the `mxpool probe` table or JSON.
import type { HealthState } from '../model.ts';
import type { ProbeResult } from './types.ts';

/** What the checks beside the probe (relay security, DNSBL) said about a host, when configured. */
export interface RowHygiene {
  /** the findings: security ids and dnsbl-listed */
  findings: { id: string; message: string }[];
  /** the security check: null when the pool has none */
  check: { at: number; error: string | null; notes: string[]; transcript: string[] } | null;
  /** one per DNSBL zone (outbound hosts) */
  dnsbl: { zone: string; listed: boolean; status: string; codes: string[]; reason: string }[];
  /** holds keeping the host out of DNS */
  withheld: string[];
}

export interface ProbeRow {
  host: string;
  pool: string;
  address: string;
  port: number;
  /** health after this probe (a cold start: one success is healthy) */
  state: HealthState;
  result: ProbeResult;
  /** absent when neither pools[].security nor dnsbl applies to the host */
  hygiene?: RowHygiene;
}

const HEADERS = ['HOST', 'POOL', 'RESULT', 'STAGE', 'MS', 'TLS', 'CERT DAYS', 'REASON'] as const;

function tlsColumn(result: ProbeResult): string {
  if (!result.tls) return '-';
  return `${result.tls.protocol ?? '?'}${result.tls.authorized ? '' : ' (untrusted)'}`;
}

function resultColumn(row: ProbeRow): string {
  if (row.state === 'disabled') return row.result.ok ? 'ok (disabled)' : 'FAIL (disabled)';
  if (row.result.ok && (row.hygiene?.withheld.length ?? 0) > 0) return 'WITHDRAWN';
  return row.result.ok ? 'ok' : 'FAIL';
}

/** The SECURITY column: finding ids, "ok", or why nothing could be said. */
function securityColumn(row: ProbeRow): string {
  const hygiene = row.hygiene;
  if (!hygiene) return '-';
  if (hygiene.findings.length > 0) return [...new Set(hygiene.findings.map((f) => f.id))].join(',');
  const undecided = hygiene.check?.error != null || hygiene.dnsbl.some((v) => v.status === 'error' || v.status === 'unknown');
  return undecided ? 'unknown' : 'ok';
}

/** Lines under the table: every finding, every check that could not run, every DNSBL lookup error. */
function hygieneLines(rows: readonly ProbeRow[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    const hygiene = row.hygiene;
    if (!hygiene) continue;
    for (const finding of hygiene.findings) lines.push(`${row.host}  ${finding.id}: ${finding.message}`);
    if (hygiene.check?.error) lines.push(`${row.host}  security check did not finish: ${hygiene.check.error}`);
    for (const verdict of hygiene.dnsbl) if (verdict.status === 'error' || verdict.status === 'unknown') lines.push(`${row.host}  dnsbl ${verdict.zone}: ${verdict.status === 'error' ? 'lookup error' : 'no answer'}: ${verdict.reason} (not a listing)`);
    for (const hold of hygiene.withheld) lines.push(`${row.host}  withdrawn from DNS: ${hold}`);
  }
  return lines;
}

export function formatProbeTable(rows: readonly ProbeRow[]): string {
  if (rows.some((row) => row.hygiene)) return formatWithHygiene(rows);
  return formatBasicTable(rows);
}

function formatWithHygiene(rows: readonly ProbeRow[]): string {
  const table = formatBasicTable(rows, true);
  const lines = hygieneLines(rows);
  return lines.length === 0 ? table : `${table}\n${lines.join('\n')}\n`;
}

function formatBasicTable(rows: readonly ProbeRow[], withSecurity = false): string {
  const headers: readonly string[] = withSecurity ? [...HEADERS.slice(0, -1), 'SECURITY', 'REASON'] : HEADERS;
  const cells = rows.map((row) => [
    row.host,
    row.pool,
    resultColumn(row),
    row.result.stage,
    row.result.ms.toFixed(1),
    tlsColumn(row.result),
    row.result.tls?.daysLeft != null ? String(row.result.tls.daysLeft) : '-',
    ...(withSecurity ? [securityColumn(row)] : []),
    row.result.ok ? row.result.tls?.error ?? '' : row.result.reason,
  ]);
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((line) => (line[column] ?? '').length)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, column) => (column === line.length - 1 ? cell : column === 4 || column === 6 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(headers), ...cells.map(render)].join('\n') + '\n';
}

export function formatProbeJson(rows: readonly ProbeRow[]): string {
  const hosts = rows.map((row) => ({
    host: row.host,
    pool: row.pool,
    address: row.address,
    port: row.port,
    state: row.state,
    ...row.result,
    refused: row.result.refused ?? false,
    tls: row.result.tls ?? null,
    security: row.hygiene?.findings ?? [],
    securityCheck: row.hygiene?.check ?? null,
    dnsbl: row.hygiene?.dnsbl ?? [],
    withheld: row.hygiene?.withheld ?? [],
  }));
  const counted = rows.filter((row) => row.state !== 'disabled');
  const healthy = counted.filter((row) => row.state === 'healthy').length;
  return `${JSON.stringify({ hosts, summary: { hosts: rows.length, healthy, unhealthy: counted.length - healthy, disabled: rows.length - counted.length } }, null, 2)}\n`;
}

/** `mxpool probe` exit status: 0 when every host that is not disabled is healthy. */
export function probeExitCode(rows: readonly ProbeRow[]): 0 | 1 {
  return rows.every((row) => row.state === 'healthy' || row.state === 'disabled') ? 0 : 1;
}
