// The checks beside the probe as `mxpool probe` prints them (src/probe/report.ts RowHygiene).
import type { RowHygiene } from '../probe/report.ts';
import type { Hygiene } from './hygiene.ts';

/** `{ hygiene }` for a ProbeRow, or `{}` when no check applies to the host. */
export function rowHygiene(hygiene: Hygiene, host: string): { hygiene?: RowHygiene } {
  const seen = hygiene.of(host);
  if (seen.security === null && !hygiene.dnsbl?.hosts.some((h) => h.host === host)) return {};
  const last = seen.security?.last ?? null;
  return {
    hygiene: {
      findings: hygiene.findings(host),
      check: last === null ? null : { at: last.at, error: last.error, notes: last.notes, transcript: last.transcript },
      dnsbl: seen.dnsbl.map((v) => ({ zone: v.zone, listed: v.listed, status: v.last.status, codes: v.last.codes, reason: v.last.reason })),
      withheld: seen.withheld,
    },
  };
}
