// PURE: the zones of `GET /api/state` and `GET /api/zones`: one small summary per zone (serial, MX
// exchanges, notes), cached per zone version, and a substring search — so the status page of a
// server with 10,000 tenant zones shows counts and the matches of a search, not 10,000 rows.
import type { DesiredZone } from '../model.ts';
import type { ApiProviderSync, ApiZone, ApiZoneCounts, ApiZoneSearch } from './types.ts';

/** Zone versions are immutable: their summary is computed once (the provider status is added fresh). */
const summaries = new WeakMap<DesiredZone, Omit<ApiZone, 'providers'>>();

/** The provider syncs of a zone, by zone name (none: []). */
export type ProvidersOf = (zone: string) => ApiProviderSync[];

export function apiZone(zone: DesiredZone, kind: ApiZone['kind'], providersOf: ProvidersOf = () => []): ApiZone {
  return { ...summaryOf(zone, kind), providers: providersOf(zone.zone) };
}

function summaryOf(zone: DesiredZone, kind: ApiZone['kind']): Omit<ApiZone, 'providers'> {
  let summary = summaries.get(zone);
  if (!summary || summary.kind !== kind) {
    const mx = zone.sets
      .filter((set) => set.type === 'MX' && set.name === zone.zone)
      .flatMap((set) => set.values.flatMap((value) => (value.data.type === 'MX' ? [value.data] : [])))
      .sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange))
      .map((data) => data.exchange);
    summary = { zone: zone.zone, kind, serial: zone.serial, mx, notes: [...zone.notes] };
    summaries.set(zone, summary);
  }
  return summary;
}

/** The top-level zone first, then the tenant zones. */
export function apiZones(top: DesiredZone | undefined, tenants: readonly DesiredZone[], providersOf?: ProvidersOf): ApiZone[] {
  return [...(top ? [apiZone(top, 'zone', providersOf)] : []), ...tenants.map((zone) => apiZone(zone, 'tenant', providersOf))];
}

export function zoneCounts(zones: readonly ApiZone[]): ApiZoneCounts {
  let withoutMx = 0;
  let withNotes = 0;
  let syncFailing = 0;
  for (const zone of zones) {
    if (zone.mx.length === 0) withoutMx++;
    if (zone.notes.length > 0) withNotes++;
    if (zone.providers.some((provider) => provider.ok === false)) syncFailing++;
  }
  return { total: zones.length, tenants: zones.filter((zone) => zone.kind === 'tenant').length, withoutMx, withNotes, syncFailing };
}

export const MAX_SEARCH_RESULTS = 500;

/** Zones whose name contains `query` (case-insensitive; empty: all), the first `limit` of them. */
export function searchZones(zones: readonly ApiZone[], query: string, limit: number): ApiZoneSearch {
  const wanted = query.trim().toLowerCase().replace(/\.$/, '');
  const bounded = Math.min(Math.max(Math.floor(limit) || 0, 1), MAX_SEARCH_RESULTS);
  const found: ApiZone[] = [];
  let matched = 0;
  for (const zone of zones) {
    if (wanted !== '' && !zone.zone.includes(wanted)) continue;
    matched++;
    if (found.length < bounded) found.push(zone);
  }
  return { query: wanted, total: zones.length, matched, zones: found };
}
