// PURE: the parts of a tenant zone that depend on the config alone — SOA (serial left at 0), NS,
// SPF, DMARC, DKIM and static records — built once per config. Health changes only the apex MX, so
// a new version of the zone is these parts + the shared MX set + a new serial (src/tenants/zones.ts).
import { hash as oneShot } from 'node:crypto';
import type { Config, TenantConfig } from '../config/schema.ts';
import { sameTenant } from '../config/diff.ts';
import type { RecordSet } from '../model.ts';
import { apexRecordSets, lameNs, STATIC_TTL } from '../desired.ts';
import { ZoneSets } from '../dns/zonesets.ts';
import { parseRData, RDataError } from '../dns/rdata.ts';
import { splitTxt } from '../auth/txt.ts';
import { dmarcRecord } from '../auth/dmarc-record.ts';
import { checkOwnSpf } from '../auth/spf-check.ts';

/** One MX entry with its preference resolved (the pool's own when the tenant gives none). */
export interface MxEntry {
  pool: string;
  preference: number;
}

export interface TenantParts {
  zone: string;
  /** the SOA with serial 0; absent without a nameserver (a provider-only tenant) */
  soa?: RecordSet;
  /** every other set, in master-file order, without SOA and the managed MX */
  sets: RecordSet[];
  /** where the managed MX goes in `sets` */
  mxAt: number;
  mx: MxEntry[];
  /** MX TTL */
  ttl: number;
  notes: string[];
  /** equal hashes = equal parts (a reload compares them; the state file keeps them) */
  hash: string;
}

/** The tenants mxpool publishes: all but those with `dns: external` (their DNS is kept elsewhere; audit only). */
export function servedTenants(config: Config): TenantConfig[] {
  return config.tenants.filter((tenant) => tenant.dns !== 'external');
}

/** The parts of a config, and that config: what a reload may reuse. */
export interface BuiltParts {
  config: Config;
  parts: readonly TenantParts[];
}

/**
 * Every tenant's parts, in config order. With `previous` (the config a reload replaces): a tenant
 * whose settings are the same, in a config whose shared inputs (partsContext) are the same, keeps
 * its parts — a reload with one tenant edited builds one zone's parts, not 10,000.
 */
export function buildTenantParts(config: Config, previous?: BuiltParts): TenantParts[] {
  const reusable = new Map<string, { tenant: TenantConfig; parts: TenantParts }>();
  if (previous && partsContext(previous.config) === partsContext(config)) {
    servedTenants(previous.config).forEach((tenant, index) => {
      const parts = previous.parts[index];
      if (parts?.zone === tenant.zone) reusable.set(tenant.zone, { tenant, parts });
    });
  }
  return servedTenants(config).map((tenant) => {
    const old = reusable.get(tenant.zone);
    return old && sameTenant(old.tenant, tenant) ? old.parts : tenantParts(config, tenant);
  });
}

/** Everything outside the tenant's own settings that tenantParts reads (keep the two in step). */
export function partsContext(config: Config): string {
  return JSON.stringify([
    config.ttl,
    config.pools.map((pool) => [pool.name, pool.mx?.preference]),
    config.nameserver ? [config.nameserver.ns, config.nameserver.soa] : null,
    config.auth.spf?.sharedName ?? null,
  ]);
}

/**
 * SPF texts that passed checkOwnSpf (its verdict depends on the text alone): 10,000 tenants mostly
 * share one or a few (the default include of auth.spf.sharedName), so each is parsed once. Bounded.
 */
const cleanSpf = new Set<string>();
const MAX_CLEAN_SPF = 10_000;

// Reads of `config` here must be covered by partsContext, or a reload would keep stale parts.
export function tenantParts(config: Config, tenant: TenantConfig): TenantParts {
  const { zone } = tenant;
  const notes: string[] = [];
  const sets = new ZoneSets(notes);
  const txt = (name: string, text: string): RecordSet => ({ name, type: 'TXT', ttl: config.ttl, values: [{ data: { type: 'TXT', strings: splitTxt(text) } }], source: 'auth' });
  const placeholder: RecordSet = { name: zone, type: 'MX', ttl: config.ttl, values: [], source: 'pool' };
  const mx = tenant.mx.map((entry): MxEntry => ({ pool: entry.pool, preference: entry.preference ?? config.pools.find((p) => p.name === entry.pool)?.mx?.preference ?? 10 }));
  if (mx.length > 0) sets.addManaged(placeholder);

  let soa: RecordSet | undefined;
  const served = config.nameserver;
  if (served) {
    const [soaSet, nsSet] = apexRecordSets(zone, tenant.nameserver?.ns ?? served.ns, tenant.nameserver?.soa ?? served.soa, 0);
    soa = soaSet;
    sets.addManaged(nsSet);
  }
  const spf = spfText(config, tenant);
  if (spf !== undefined) {
    const problems = cleanSpf.has(spf) ? [] : checkOwnSpf([{ name: zone, text: spf }]);
    if (problems.length === 0 && cleanSpf.size < MAX_CLEAN_SPF) cleanSpf.add(spf);
    if (problems.length > 0) notes.push(`${zone}: SPF not published: ${problems.join('; ')}`);
    else sets.addManaged(txt(zone, spf));
  }
  if (tenant.dmarc) sets.addManaged(txt(`_dmarc.${zone}`, dmarcRecord(tenant.dmarc)));
  for (const entry of tenant.dkim) sets.addManaged(txt(`${entry.selector.toLowerCase()}._domainkey.${zone}`, entry.key.replace(/\s+/g, ' ').trim()));
  tenant.records.forEach((record, index) => {
    const origin = `${zone}: records.${index}`;
    try {
      const data = parseRData(record.type, record.value, zone);
      sets.addStatic({ name: record.name, type: record.type, ttl: record.ttl ?? STATIC_TTL, values: [{ data }], source: 'static' }, origin);
    } catch (error) {
      if (!(error instanceof RDataError)) throw error;
      notes.push(`${origin}: ${record.name} ${record.type} ignored: ${error.message}`);
    }
  });

  const ordered = sets.result(zone);
  const at = ordered.findIndex((set) => set.name === zone && set.type === 'MX' && set.source === 'pool');
  const rest = ordered.filter((_, index) => index !== at);
  if (served) notes.push(...lameNs(zone, tenant.nameserver?.ns ?? served.ns, rest));
  const mxAt = at >= 0 ? at : rest.length;
  // one-shot hash: a Hash object per tenant costs more than hashing its kilobyte
  const hash = oneShot('sha1', JSON.stringify([soa ?? null, rest, mx, config.ttl]), 'base64url');
  return { zone, ...(soa ? { soa } : {}), sets: rest, mxAt, mx, ttl: config.ttl, notes, hash };
}

/** The tenant's SPF text: its own spf:, else an include of auth.spf.sharedName; undefined: none. */
export function spfText(config: Config, tenant: TenantConfig): string | undefined {
  const sharedName = config.auth.spf?.sharedName;
  const spf = tenant.spf ?? (sharedName ? { include: [sharedName], extra: [], all: '-all' as const } : undefined);
  if (!spf) return undefined;
  return ['v=spf1', ...spf.extra, ...spf.include.map((domain) => `include:${domain}`), spf.all].join(' ');
}
