// Rules across keys for tenants (customer zones): every zone once and none inside another (the
// nameserver answers each name from exactly one zone), MX pools that exist and are inbound, static
// records inside their own zone, and a provider zone synced from one zone only. Messages name other
// tenants as `tenants.N`; the loader turns that into the tenant's file when it came from tenantsFrom.
import type { Fail, Path, View } from './rules.ts';
import { inZone, staticRecordRules, uniqueSelectors } from './rules.ts';

export function tenantRules(view: View, fail: Fail): void {
  const tenants = view.indexes(['tenants']);
  if (tenants.length === 0) return;
  const zone = view.text(['zone']);
  const pools = new Map<string, string | undefined>();
  for (const p of view.indexes(['pools'])) {
    const name = view.text(['pools', p, 'name']);
    if (name !== undefined) pools.set(name, view.text(['pools', p, 'role']));
  }
  // tenant zones by name, first one wins; a zone overlapping the top-level zone is reported on its
  // own and kept out, or every other tenant would be "inside" it too
  const zones = new Map<string, number>();
  for (const t of tenants) {
    const tenantZone = view.text(['tenants', t, 'zone']);
    if (tenantZone === undefined || zones.has(tenantZone)) continue;
    if (zone !== undefined && (inZone(tenantZone, zone) || inZone(zone, tenantZone))) continue;
    zones.set(tenantZone, t);
  }
  const providerZones = new ProviderZones(view, fail);
  providerZones.claim(['providers'], zone ?? 'zone');
  for (const t of tenants) {
    const at: Path = ['tenants', t];
    const tenantZone = view.text([...at, 'zone']);
    if (tenantZone !== undefined) zoneRules(fail, at, tenantZone, zone, zones, t);
    const mxPools = new Map<string, number>();
    for (const m of view.indexes([...at, 'mx'])) {
      const pool = view.text([...at, 'mx', m, 'pool']);
      if (pool === undefined) continue;
      const role = pools.get(pool);
      if (!pools.has(pool)) fail([...at, 'mx', m, 'pool'], `the name of an inbound pool (no pool is named ${pool}; pools: ${[...pools.keys()].join(', ')})`);
      else if (role === 'outbound') fail([...at, 'mx', m, 'pool'], `an inbound pool (${pool} is an outbound relay pool; MX names receiving hosts)`);
      const first = mxPools.get(pool);
      if (first !== undefined) fail([...at, 'mx', m, 'pool'], `a pool listed once (${pool} is already mx.${first})`);
      else mxPools.set(pool, m);
    }
    if (tenantZone !== undefined) {
      const mxOwners = new Set(mxPools.size > 0 ? [tenantZone] : []);
      staticRecordRules(view, fail, { base: at, zone: tenantZone, addressNames: new Set(), mxOwners });
    }
    uniqueSelectors(view, fail, [...at, 'dkim'], 2);
    if (view.text([...at, 'dns']) === 'external') externalRules(view, fail, at);
    else providerZones.claim([...at, 'providers'], tenantZone ?? `tenants.${t}`);
  }
}

/** A tenant whose DNS is kept elsewhere has nothing for mxpool to publish: no records, providers or NS/SOA of its own. */
function externalRules(view: View, fail: Fail, at: Path): void {
  const why = '(dns: external: mxpool neither serves nor syncs this zone, it only audits it)';
  for (const key of ['records', 'providers', 'nameserver'] as const) {
    const present = key === 'records' ? view.indexes([...at, key]).length > 0 : view.present([...at, key]);
    if (present) fail([...at, key], `no ${key} ${why}`);
  }
}

function zoneRules(fail: Fail, at: Path, tenantZone: string, zone: string | undefined, zones: Map<string, number>, t: number): void {
  const first = zones.get(tenantZone);
  if (zone !== undefined && tenantZone === zone) {
    fail([...at, 'zone'], `a customer zone other than the top-level zone ${zone} (its records come from pools:, auth: and records:)`);
  } else if (zone !== undefined && inZone(tenantZone, zone)) {
    fail([...at, 'zone'], `a zone outside the top-level zone ${zone} (${tenantZone} is inside it: put its records under records: instead)`);
  } else if (zone !== undefined && inZone(zone, tenantZone)) {
    fail([...at, 'zone'], `a zone that does not enclose the top-level zone ${zone} (each name is answered from one zone)`);
  } else if (first !== undefined && first !== t) {
    fail([...at, 'zone'], `a zone given once (${tenantZone} is already tenants.${first})`);
  } else {
    for (let name = tenantZone; name.includes('.'); ) {
      name = name.slice(name.indexOf('.') + 1);
      const enclosing = zones.get(name);
      if (enclosing === undefined) continue;
      fail([...at, 'zone'], `a zone not inside another tenant's zone (${tenantZone} is inside ${name}, tenants.${enclosing}; each name is answered from one zone)`);
      break;
    }
  }
}

/** A Route 53 hosted zone or a Cloudflare zone holds one zone: two zones syncing into one would fight. */
class ProviderZones {
  readonly #seen = new Map<string, string>();
  readonly #view: View;
  readonly #fail: Fail;

  constructor(view: View, fail: Fail) {
    this.#view = view;
    this.#fail = fail;
  }

  claim(at: Path, owner: string): void {
    for (const [provider, key] of [['route53', 'hostedZoneId'], ['cloudflare', 'zoneId']] as const) {
      const raw = this.#view.text([...at, provider, key]);
      if (raw === undefined) continue;
      const id = `${provider}:${raw.replace(/^\/hostedzone\//, '')}`;
      const first = this.#seen.get(id);
      if (first !== undefined && first !== owner) this.#fail([...at, provider, key], `a ${provider} zone synced from one zone only (${raw} is already the zone of ${first})`);
      else this.#seen.set(id, owner);
    }
  }
}
