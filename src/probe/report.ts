// PURE: probe results -> the `mxpool probe` table or JSON.
import type { HealthState } from '../model.ts';
import type { ProbeResult } from './types.ts';

export interface ProbeRow {
  host: string;
  pool: string;
  address: string;
  port: number;
  /** health after this probe (a cold start: one success is healthy) */
  state: HealthState;
  result: ProbeResult;
}

const HEADERS = ['HOST', 'POOL', 'RESULT', 'STAGE', 'MS', 'TLS', 'CERT DAYS', 'REASON'] as const;

function tlsColumn(result: ProbeResult): string {
  if (!result.tls) return '-';
  return `${result.tls.protocol ?? '?'}${result.tls.authorized ? '' : ' (untrusted)'}`;
}

function resultColumn(row: ProbeRow): string {
  if (row.state === 'disabled') return row.result.ok ? 'ok (disabled)' : 'FAIL (disabled)';
  return row.result.ok ? 'ok' : 'FAIL';
}

export function formatProbeTable(rows: readonly ProbeRow[]): string {
  const cells = rows.map((row) => [
    row.host,
    row.pool,
    resultColumn(row),
    row.result.stage,
    row.result.ms.toFixed(1),
    tlsColumn(row.result),
    row.result.tls?.daysLeft != null ? String(row.result.tls.daysLeft) : '-',
    row.result.ok ? row.result.tls?.error ?? '' : row.result.reason,
  ]);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...cells.map((line) => (line[column] ?? '').length)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, column) => (column === line.length - 1 ? cell : column === 4 || column === 6 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(HEADERS), ...cells.map(render)].join('\n') + '\n';
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
  }));
  const counted = rows.filter((row) => row.state !== 'disabled');
  const healthy = counted.filter((row) => row.state === 'healthy').length;
  return `${JSON.stringify({ hosts, summary: { hosts: rows.length, healthy, unhealthy: counted.length - healthy, disabled: rows.length - counted.length } }, null, 2)}\n`;
}

/** `mxpool probe` exit status: 0 when every host that is not disabled is healthy. */
export function probeExitCode(rows: readonly ProbeRow[]): 0 | 1 {
  return rows.every((row) => row.state === 'healthy' || row.state === 'disabled') ? 0 : 1;
}
