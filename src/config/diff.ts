// PURE: what changed between the config `serve` runs and the one a reload read — the hosts that
// stay, arrive and leave, the keys a reload cannot change without a restart, and the changes in
// words for the log and `mxpool reload`. Hosts are keyed by name; a host whose address or port
// changed is another SMTP endpoint, so it counts as removed (old endpoint) and added (new one).
import type { Config, HostConfig, TenantConfig } from './schema.ts';

export interface HostRef {
  name: string;
  pool: string;
  role: 'inbound' | 'outbound';
  address: string;
  port: number;
}

export interface HostChanges {
  /** in both configs at the same address and port: they keep their health */
  kept: HostRef[];
  /** new names, and the new endpoint of a readdressed name */
  added: HostRef[];
  /** names gone, and the old endpoint of a readdressed name */
  removed: HostRef[];
}

export function hostRefs(config: Config): Map<string, HostRef> {
  const refs = new Map<string, HostRef>();
  for (const pool of config.pools) {
    for (const host of pool.hosts) refs.set(host.name, { name: host.name, pool: pool.name, role: pool.role, address: host.address, port: host.port });
  }
  return refs;
}

export function sameEndpoint(a: Pick<HostRef, 'address' | 'port'>, b: Pick<HostRef, 'address' | 'port'>): boolean {
  return a.address.toLowerCase() === b.address.toLowerCase() && a.port === b.port;
}

export function hostChanges(previous: Config, next: Config): HostChanges {
  const before = hostRefs(previous);
  const after = hostRefs(next);
  const changes: HostChanges = { kept: [], added: [], removed: [] };
  for (const [name, ref] of after) {
    const old = before.get(name);
    if (old && sameEndpoint(old, ref)) changes.kept.push(ref);
    else changes.added.push(ref);
  }
  for (const [name, ref] of before) {
    const now = after.get(name);
    if (!now || !sameEndpoint(now, ref)) changes.removed.push(ref);
  }
  return changes;
}

/**
 * Keys a reload cannot change: what `serve` bound or opened at start-up. A reload that changes one
 * is refused as a whole (the live config is always exactly one file's content, never a mix).
 * `presence`: only adding or removing the whole section counts (its other keys have their own rule
 * or apply live); a nested key counts only when its section is in both configs.
 */
export const RESTART_KEYS: ReadonlyArray<{ path: string; why: string; presence?: true }> = [
  { path: 'zone', why: 'the state file, NOTIFY and the providers are bound to the zone serve started with' },
  { path: 'stateDir', why: 'serve keeps writing the state file it opened at start-up' },
  { path: 'nameserver', presence: true, why: 'the built-in nameserver is started (or not) at start-up' },
  { path: 'nameserver.listen', why: 'the DNS sockets are bound at start-up' },
  { path: 'nameserver.workers', why: 'the nameserver worker processes are started at start-up' },
  { path: 'nameserver.tsig', why: 'the TSIG secrets are read from the environment at start-up (and a running process cannot see a changed environment)' },
  { path: 'nameserver.journal', why: 'the IXFR journals are opened with their bounds at start-up' },
  { path: 'cluster', why: 'the cluster membership (etcd, node name, lease) is set up at start-up' },
  { path: 'http', presence: true, why: 'the HTTP listener is started (or not) at start-up' },
  { path: 'http.listen', why: 'the HTTP socket is bound at start-up' },
  { path: 'http.tokenEnv', why: 'the API token is read from the environment at start-up (and a running process cannot see a changed environment)' },
  { path: 'auth.mtaSts', presence: true, why: 'the MTA-STS policy server is started (or not) at start-up' },
  { path: 'auth.mtaSts.https.listen', why: 'the MTA-STS policy server socket is bound at start-up' },
  { path: 'auth.mtaSts.https.certFile', why: 'the policy server watches the certificate files it started with (a renewal in place needs no reload)' },
  { path: 'auth.mtaSts.https.keyFile', why: 'the policy server watches the certificate files it started with (a renewal in place needs no reload)' },
];

export interface ChangedKey {
  /** dotted path as in the config file (`probe.interval`, `nameserver.listen`) */
  path: string;
  before: unknown;
  after: unknown;
}

/** Every key outside `pools` and `tenants` whose value differs (lists compared whole, mappings key by key). */
export function changedKeys(previous: Config, next: Config): ChangedKey[] {
  const changes: ChangedKey[] = [];
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)]);
  keys.delete('pools');
  keys.delete('tenants');
  for (const key of [...keys].sort()) walk(key, (previous as Record<string, unknown>)[key], (next as Record<string, unknown>)[key], changes);
  return changes;
}

function walk(path: string, before: unknown, after: unknown, out: ChangedKey[]): void {
  if (isMapping(before) && isMapping(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) walk(`${path}.${key}`, before[key], after[key], out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(config: Config, path: string): unknown {
  let value: unknown = config;
  for (const key of path.split('.')) value = isMapping(value) ? value[key] : undefined;
  return value;
}

export interface RestartChange extends ChangedKey {
  why: string;
}

/** The changes a reload refuses, each with the reason. */
export function restartChanges(previous: Config, next: Config): RestartChange[] {
  const found: RestartChange[] = [];
  for (const rule of RESTART_KEYS) {
    const before = valueAt(previous, rule.path);
    const after = valueAt(next, rule.path);
    const section = rule.path.includes('.') ? rule.path.slice(0, rule.path.lastIndexOf('.')) : undefined;
    if (section !== undefined && (valueAt(previous, section) === undefined || valueAt(next, section) === undefined)) continue;
    const changed = rule.presence ? (before === undefined) !== (after === undefined) : JSON.stringify(before) !== JSON.stringify(after);
    if (changed) found.push({ path: rule.path, before, after, why: rule.why });
  }
  return found;
}

/** A restart change in words: "nameserver.listen: ["127.0.0.1:53"] -> ["127.0.0.1:54"] needs a restart of serve (the DNS sockets ...)". */
export function describeRestartChange(change: RestartChange): string {
  return `changed from ${show(change.before, change.path)} to ${show(change.after, change.path)}, which a reload cannot apply (${change.why}): put the old value back, or restart serve to use it`;
}

const DURATION_KEYS = new Set(['probe.interval', 'probe.timeout', 'audit.interval']);

/** The changes in words, one line each, most useful first (pools and hosts, tenants, then other keys). */
export function describeChanges(previous: Config, next: Config): string[] {
  return [
    ...poolChanges(previous, next),
    ...describeTenants(tenantChanges(previous, next)),
    ...changedKeys(previous, next).map((change) => `${change.path}: ${show(change.before, change.path)} -> ${show(change.after, change.path)}`),
  ];
}

export interface TenantChanges {
  added: string[];
  removed: string[];
  /** in both configs with any key different (its zone gets a new serial if its records differ) */
  changed: string[];
}

/** Tenant zones (tenants: and the files of tenantsFrom) added, removed and changed, by zone name. */
export function tenantChanges(previous: Config, next: Config): TenantChanges {
  const before = new Map(previous.tenants.map((tenant) => [tenant.zone, tenant]));
  const changes: TenantChanges = { added: [], removed: [], changed: [] };
  const kept = new Set<string>();
  for (const tenant of next.tenants) {
    kept.add(tenant.zone);
    const old = before.get(tenant.zone);
    if (!old) changes.added.push(tenant.zone);
    else if (!sameTenant(old, tenant)) changes.changed.push(tenant.zone);
  }
  for (const zone of before.keys()) if (!kept.has(zone)) changes.removed.push(zone);
  return changes;
}

// A loaded config is frozen, so a tenant's settings as text can be kept by object: a reload of
// 10,000 tenants compares them in several places (the changes in words, the zone parts to reuse).
const settingsText = new WeakMap<TenantConfig, string>();

/** Whether two tenants have the same settings (every key, in the config's own order). */
export function sameTenant(a: TenantConfig, b: TenantConfig): boolean {
  if (a === b) return true;
  return textOf(a) === textOf(b);
}

function textOf(tenant: TenantConfig): string {
  let text = settingsText.get(tenant);
  if (text === undefined) {
    text = JSON.stringify(tenant);
    if (Object.isFrozen(tenant)) settingsText.set(tenant, text);
  }
  return text;
}

/** A few zones by name, the rest counted: 10,000 tenants changed must not make 10,000 lines. */
const LISTED_ZONES = 10;

function describeTenants(changes: TenantChanges): string[] {
  const line = (zones: string[], what: string) => {
    if (zones.length === 0) return [];
    if (zones.length === 1) return [`tenant zone ${zones[0]} ${what}`];
    const listed = zones.slice(0, LISTED_ZONES).join(', ');
    return [`${zones.length} tenant zones ${what}: ${listed}${zones.length > LISTED_ZONES ? ` and ${zones.length - LISTED_ZONES} more` : ''}`];
  };
  return [...line(changes.added, 'added'), ...line(changes.removed, 'removed (no longer served: REFUSED)'), ...line(changes.changed, 'changed')];
}

function poolChanges(previous: Config, next: Config): string[] {
  const lines: string[] = [];
  const before = new Map(previous.pools.map((pool) => [pool.name, pool]));
  const after = new Map(next.pools.map((pool) => [pool.name, pool]));
  for (const [name, pool] of after) {
    const old = before.get(name);
    if (!old) {
      lines.push(`pool ${name} added (${pool.role}, ${count(pool.hosts.length, 'host')})`);
      continue;
    }
    const { hosts: _newHosts, ...rest } = pool;
    const { hosts: _oldHosts, ...oldRest } = old;
    const changes: ChangedKey[] = [];
    for (const key of new Set([...Object.keys(oldRest), ...Object.keys(rest)])) walk(key, (oldRest as Record<string, unknown>)[key], (rest as Record<string, unknown>)[key], changes);
    for (const change of changes) lines.push(`pool ${name}: ${change.path} ${show(change.before, change.path)} -> ${show(change.after, change.path)}`);
  }
  for (const [name, pool] of before) if (!after.has(name)) lines.push(`pool ${name} removed (${count(pool.hosts.length, 'host')})`);

  const oldHosts = hostsByName(previous);
  const newHosts = hostsByName(next);
  for (const [name, { host, pool }] of newHosts) {
    const old = oldHosts.get(name);
    if (!old) {
      lines.push(`host ${name} added to pool ${pool} (probed before it is published)`);
      continue;
    }
    if (!sameEndpoint(old.host, host)) lines.push(`host ${name}: ${endpoint(old.host)} -> ${endpoint(host)} (a new endpoint: its health starts over, probed before it is published)`);
    if (old.pool !== pool) lines.push(`host ${name} moved from pool ${old.pool} to pool ${pool}`);
    if (old.host.weight !== host.weight) lines.push(`host ${name}: weight ${old.host.weight} -> ${host.weight}`);
    if (old.host.disabled !== host.disabled) lines.push(`host ${name}: ${host.disabled ? 'disabled (out of DNS now, out of SPF after 2 x ttl)' : 'enabled again'}`);
  }
  for (const [name, { pool }] of oldHosts) if (!newHosts.has(name)) lines.push(`host ${name} removed from pool ${pool}`);
  return lines;
}

function hostsByName(config: Config): Map<string, { host: HostConfig; pool: string }> {
  return new Map(config.pools.flatMap((pool) => pool.hosts.map((host) => [host.name, { host, pool: pool.name }] as const)));
}

function endpoint(host: Pick<HostConfig, 'address' | 'port'>): string {
  return host.address.includes(':') ? `[${host.address}]:${host.port}` : `${host.address}:${host.port}`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A value as a short text: long ones (a DKIM key, a list of records) are summarised, never dumped. */
function show(value: unknown, path: string): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'number' && DURATION_KEYS.has(path)) return `${value} ms`;
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length <= 60 ? text : `(${value.length} ${value.length === 1 ? 'entry' : 'entries'})`;
  }
  const text = JSON.stringify(value);
  return text.length <= 60 ? text : '(changed)';
}
