// Rules that relate several keys. Each failure names the key that is wrong, so the loader can
// point at its line and column. They run even when some fields are already wrong (so one run
// reports every problem), which is why they read the config through `view`: a value that is
// missing, of the wrong type, or already reported as wrong reads as undefined and its rule is skipped.
import type { z } from 'zod';
import { isIP } from 'node:net';
import type { ParsedConfig } from './schema.ts';
import { parseHostPort } from './fields.ts';
import { parseRData, RDataError } from '../dns/rdata.ts';
import { clusterRules } from './cluster.ts';
import type { RData, RecordType } from '../model.ts';
import { tsigRules } from './tsig-rules.ts';
import { tenantRules } from './tenant-rules.ts';
import { transportRules } from './transport-rules.ts';

export type Path = (string | number)[];
export type Fail = (path: Path, message: string) => void;

export interface View {
  text(path: Path): string | undefined;
  number(path: Path): number | undefined;
  /** indexes of the list at path (empty when it is not a list) */
  indexes(path: Path): number[];
  /** keys of the mapping at path (empty when it is not a mapping) */
  keys(path: Path): string[];
  has(path: Path): boolean;
  /** the value at path, unless it (or a parent) is already reported as wrong */
  raw(path: Path): unknown;
  /** the key is there at all, valid or not */
  present(path: Path): boolean;
}

/** 127.0.0.0/8, ::1 or localhost: only this machine can connect. */
function isLoopbackListen(listen: string): boolean {
  const host = (parseHostPort(listen)?.host ?? '').toLowerCase();
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.')) || /^::ffff:127\./.test(host);
}

export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

function makeView(root: unknown, broken: Set<string>): View {
  const raw = (path: Path): unknown => {
    let value = root;
    for (const segment of path) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string | number, unknown>)[segment];
    }
    return value;
  };
  const get = (path: Path): unknown => {
    // (skipped when nothing is broken: 10,000 tenants make hundreds of thousands of reads)
    if (broken.size > 0) for (let depth = 1; depth <= path.length; depth++) if (broken.has(path.slice(0, depth).join('.'))) return undefined;
    return raw(path);
  };
  return {
    text: (path) => { const v = get(path); return typeof v === 'string' ? v : undefined; },
    number: (path) => { const v = get(path); return typeof v === 'number' ? v : undefined; },
    indexes: (path) => { const v = get(path); return Array.isArray(v) ? v.map((_, i) => i) : []; },
    keys: (path) => { const v = get(path); return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []; },
    has: (path) => get(path) !== undefined,
    raw: get,
    present: (path) => raw(path) !== undefined,
  };
}

export function crossFieldRules(config: ParsedConfig, ctx: z.RefinementCtx): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return; // already reported: not a mapping
  // An unknown key does not make the values beside it wrong; every other issue does.
  const broken = new Set(ctx.issues.filter((issue) => issue.code !== 'unrecognized_keys').map((issue) => (issue.path ?? []).map(String).join('.')));
  const view = makeView(config, broken);
  // params.crossField: the loader does not append "(got ...)" — the message already names the values
  const fail: Fail = (path, message) => ctx.addIssue({ code: 'custom', path, message, params: { crossField: true } });
  poolRules(view, fail);
  securityRules(view, fail);
  const interval = view.number(['probe', 'interval']);
  const timeout = view.number(['probe', 'timeout']);
  if (interval !== undefined && timeout !== undefined && timeout >= interval) {
    fail(['probe', 'timeout'], `a timeout shorter than probe.interval (${timeout} ms is not shorter than ${interval} ms)`);
  }
  recordRules(view, fail);
  sourceAddressRule(view, fail);
  clusterRules(view.has(['cluster']) ? (config as { cluster?: unknown }).cluster : undefined, fail);
  tsigRules(view, fail);
  tenantRules(view, fail);
  const sharedName = view.text(['auth', 'spf', 'sharedName']);
  const zone = view.text(['zone']);
  if (sharedName !== undefined && zone !== undefined && (sharedName === zone || !inZone(sharedName, zone))) {
    fail(['auth', 'spf', 'sharedName'], `a name below zone ${zone}, such as _spf.${zone} (${sharedName} is ${sharedName === zone ? 'the apex, which holds the SPF of the zone itself' : 'outside it'})`);
  }
  transportRules(view, fail);
  const httpListen = view.text(['http', 'listen']);
  if (httpListen !== undefined && !view.present(['http', 'tokenEnv']) && !isLoopbackListen(httpListen)) {
    // the API can drain every host: serve refuses to open it beyond this machine without a token
    fail(['http', 'listen'], `a loopback address such as 127.0.0.1:8053, or set http.tokenEnv (${httpListen} is reachable beyond this machine and the API can drain hosts)`);
  }
  uniqueSelectors(view, fail, ['auth', 'dkim']);
}

/** Each DKIM selector of one zone once (`at`: the dkim list; messages name it from `at[shownFrom]` on). */
export function uniqueSelectors(view: View, fail: Fail, at: Path, shownFrom = 0): void {
  const selectors = new Map<string, number>();
  for (const d of view.indexes(at)) {
    const selector = view.text([...at, d, 'selector'])?.toLowerCase();
    if (selector === undefined) continue;
    const first = selectors.get(selector);
    if (first !== undefined) fail([...at, d, 'selector'], `a selector used once (${selector} is already ${[...at.slice(shownFrom), first].join('.')})`);
    else selectors.set(selector, d);
  }
}

function poolRules(view: View, fail: Fail): void {
  const zone = view.text(['zone']);
  const outside = (name: string | undefined) => zone !== undefined && name !== undefined && !inZone(name, zone);
  const pools = view.indexes(['pools']);
  const hostNames = new Set(pools.flatMap((p) => view.indexes(['pools', p, 'hosts']).map((h) => view.text(['pools', p, 'hosts', h, 'name']))));
  const poolAt = new Map<string, number>();
  const hostnameAt = new Map<string, number>();
  const seenHost = new Map<string, string>();
  for (const p of pools) {
    const at: Path = ['pools', p];
    const name = view.text([...at, 'name']);
    const role = view.text([...at, 'role']);
    const firstPool = name === undefined ? undefined : poolAt.get(name);
    if (firstPool !== undefined) fail([...at, 'name'], `a pool name used once ("${name}" is already pools.${firstPool})`);
    else if (name !== undefined) poolAt.set(name, p);
    const hasMx = view.present([...at, 'mx']);
    if (role === 'inbound' && !hasMx) fail([...at, 'mx'], `an mx: { name, preference } (pool "${name ?? p}" is inbound, an MX pool)`);
    if (role === 'outbound' && hasMx) fail([...at, 'mx'], `no mx in an outbound pool ("${name ?? p}"; MX records come from inbound pools)`);
    if (outside(view.text([...at, 'mx', 'name']))) fail([...at, 'mx', 'name'], `a name inside zone ${zone}`);
    const hostname = view.text([...at, 'hostname']);
    if (hostname !== undefined) {
      if (outside(hostname)) fail([...at, 'hostname'], `a name inside zone ${zone}`);
      else if (hostNames.has(hostname)) fail([...at, 'hostname'], `a name that is not also a host's name (${hostname} is a host; their A/AAAA records would clash)`);
      const firstHostname = hostnameAt.get(hostname);
      if (firstHostname !== undefined) fail([...at, 'hostname'], `a hostname used by one pool (${hostname} is already pools.${firstHostname}.hostname)`);
      else hostnameAt.set(hostname, p);
    }
    const hosts = view.indexes([...at, 'hosts']);
    const minHealthy = view.number([...at, 'minHealthy']);
    if (hosts.length > 0 && minHealthy !== undefined && minHealthy > hosts.length) {
      fail([...at, 'minHealthy'], `at most the number of hosts in the pool (${hosts.length})`);
    }
    const seenAddress = new Map<string, number>();
    for (const h of hosts) {
      const path: Path = [...at, 'hosts', h];
      const hostName = view.text([...path, 'name']);
      if (outside(hostName)) fail([...path, 'name'], `a name inside zone ${zone} (mxpool publishes its A/AAAA record)`);
      const other = hostName === undefined ? undefined : seenHost.get(hostName);
      if (other !== undefined) fail([...path, 'name'], `a host name used once (${hostName} is already ${other})`);
      else if (hostName !== undefined) seenHost.set(hostName, `pools.${p}.hosts.${h}`);
      const address = view.text([...path, 'address']);
      const firstAddress = address === undefined ? undefined : seenAddress.get(address);
      if (firstAddress !== undefined) fail([...path, 'address'], `an address used once per pool (${address} is already pools.${p}.hosts.${firstAddress})`);
      else if (address !== undefined) seenAddress.set(address, h);
    }
  }
}

/** Probes connect from probe.sourceAddress: a host of the other address family cannot be reached from it. */
function sourceAddressRule(view: View, fail: Fail): void {
  const source = view.text(['probe', 'sourceAddress']);
  if (source === undefined) return;
  const family = isIP(source);
  for (const p of view.indexes(['pools'])) {
    for (const h of view.indexes(['pools', p, 'hosts'])) {
      const address = view.text(['pools', p, 'hosts', h, 'address']);
      if (address !== undefined && isIP(address) !== 0 && isIP(address) !== family) {
        fail(['pools', p, 'hosts', h, 'address'], `an IPv${family} address like probe.sourceAddress (${source}), or no probe.sourceAddress: probes of ${address} cannot connect from it`);
      }
    }
  }
}

/**
 * pools[].security: something to check, and a relay test domain nobody here serves — a relay that
 * accepts relay-test@<a domain it serves> is delivering locally, not relaying, and the test would
 * call an open relay closed.
 */
function securityRules(view: View, fail: Fail): void {
  const zone = view.text(['zone']);
  for (const p of view.indexes(['pools'])) {
    const at: Path = ['pools', p, 'security'];
    if (!view.has(at)) continue;
    const checks = ['openRelay', 'authAfterStarttls'].filter((key) => view.raw(at.concat(key)) === true);
    if (checks.length === 0 && !view.present([...at, 'auth'])) {
      fail(at, 'at least one check: openRelay: true, authAfterStarttls: true or auth: { usernameEnv, passwordEnv } (nothing would be checked)');
    }
    const domain = view.text([...at, 'relayTestDomain']);
    if (domain === undefined) continue;
    // the zone, every MX name, and every tenant zone (its MX points at inbound hosts: they accept its mail)
    const mxNames = view.indexes(['pools']).map((q) => view.text(['pools', q, 'mx', 'name']));
    const tenantZones = view.indexes(['tenants']).map((t) => view.text(['tenants', t, 'zone']));
    const served = [zone, ...mxNames, ...tenantZones].filter((name): name is string => name !== undefined);
    const clash = served.find((name) => inZone(domain, name) || inZone(name, domain));
    if (clash !== undefined) fail([...at, 'relayTestDomain'], `a domain your hosts do not serve, such as relay-test.invalid (${domain} ${domain === clash ? 'is' : inZone(domain, clash) ? 'lies inside' : 'holds'} ${clash}, which they receive mail for)`);
  }
}

/** Static records must stay inside the zone and must not fight the records mxpool writes itself. */
function recordRules(view: View, fail: Fail): void {
  const zone = view.text(['zone']);
  if (zone === undefined) return;
  const addressNames = new Set<string>();
  const mxOwners = new Set<string>();
  for (const p of view.indexes(['pools'])) {
    const hostname = view.text(['pools', p, 'hostname']);
    if (hostname !== undefined) addressNames.add(hostname);
    for (const h of view.indexes(['pools', p, 'hosts'])) {
      const name = view.text(['pools', p, 'hosts', h, 'name']);
      if (name !== undefined) addressNames.add(name);
    }
    const mxName = view.text(['pools', p, 'mx', 'name']);
    if (mxName !== undefined) mxOwners.add(mxName);
  }
  staticRecordRules(view, fail, { base: [], zone, addressNames, mxOwners });
}

export interface RecordScope {
  /** where the records: list is (['tenants', 3] for a tenant's) */
  base: Path;
  zone: string;
  /** names whose A/AAAA mxpool publishes */
  addressNames: ReadonlySet<string>;
  /** names whose MX mxpool publishes */
  mxOwners: ReadonlySet<string>;
}

/** The rules of one zone's static `records:` (the top-level zone's, or a tenant's). */
export function staticRecordRules(view: View, fail: Fail, scope: RecordScope): void {
  const { base, zone, addressNames, mxOwners } = scope;
  const records = view.indexes([...base, 'records']).flatMap((r) => {
    const name = view.text([...base, 'records', r, 'name']);
    const type = view.text([...base, 'records', r, 'type']);
    return name === undefined || type === undefined ? [] : [{ r, name, type }];
  });
  const typesAt = new Map<string, Set<string>>();
  for (const { name, type } of records) typesAt.set(name, (typesAt.get(name) ?? new Set<string>()).add(type));
  for (const { r, name, type } of records) {
    const at: Path = [...base, 'records', r];
    if (!inZone(name, zone)) fail([...at, 'name'], `a name inside zone ${zone}`);
    else if ((type === 'A' || type === 'AAAA' || type === 'CNAME') && addressNames.has(name)) {
      fail([...at, 'name'], `a name mxpool does not manage (it publishes the A/AAAA records of ${name} from the pools)`);
    } else if (type === 'MX' && mxOwners.has(name)) {
      fail([...at, 'type'], `no static MX at ${name} (mxpool publishes MX there from the inbound pools)`);
    } else if (type === 'CNAME' && name === zone) {
      fail([...at, 'type'], `no CNAME at the zone apex ${zone} (it would hide SOA, NS and MX; RFC 1034 3.6.2)`);
    } else if (type === 'CNAME' && (mxOwners.has(name) || (typesAt.get(name)?.size ?? 0) > 1)) {
      fail([...at, 'type'], `no CNAME beside other records at ${name} (RFC 1034 3.6.2)`);
    }
    const value = view.text([...at, 'value']);
    if (value !== undefined && value !== '') {
      try {
        const doubled = doubledZoneName(parseRData(type as RecordType, value, zone), zone);
        if (doubled !== undefined) {
          const written = doubled.slice(0, -(zone.length + 1));
          fail([...at, 'value'], `${written}. with a trailing dot (a name without one is relative to the zone, as in a master file: ${written} would become ${doubled})`);
        }
      } catch (error) {
        if (error instanceof RDataError) fail([...at, 'value'], error.message);
      }
    }
  }
}

/**
 * The classic master-file slip: `10 mx1.example.com` in zone example.com means
 * mx1.example.com.example.com. Nobody wants the zone name twice, so it is refused, not published.
 */
function doubledZoneName(data: RData, zone: string): string | undefined {
  if (zone === '') return undefined;
  const names: string[] = [];
  if ('target' in data) names.push(data.target);
  if (data.type === 'MX') names.push(data.exchange);
  if (data.type === 'SOA') names.push(data.mname, data.rname);
  return names.find((name) => name.endsWith(`.${zone}.${zone}`) || name === `${zone}.${zone}`);
}
