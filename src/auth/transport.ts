// Transport security as desired records, pure: config + what the probes saw + since when the policy
// has been served -> the MTA-STS, TLS-RPT and TLSA record sets, the MX names held back by the
// MTA-STS safety rule, and the hosts a DANE mismatch takes out of MX. desired() applies the last two.
import type { Config } from '../config/schema.ts';
import type { RData, RecordSet } from '../model.ts';
import type { CertDigests } from '../probe/types.ts';
import { canonicalIPv6, parseRData, RDataError } from '../dns/rdata.ts';
import { isIPv6 } from 'node:net';
import { splitTxt } from './txt.ts';
import { mtaStsPolicy, stsRecordText } from './mta-sts.ts';
import { emptyHostBook, keyFromDigest, keyOf, observe, publishMismatch, rrsetKeys, staticMismatch, tlsaData, type DaneBook, type DaneKey, type Mismatch } from './dane.ts';
import { policyNames } from './mta-sts.ts';

/** What the daemon knows beyond the config; absent in one-shot commands (nothing held back). */
export interface TransportState {
  dane: DaneBook;
  /** the digests each host presented last (memory only): compared with TLSA given by hand */
  presented?: ReadonlyMap<string, CertDigests>;
  /** each name of the served MTA-STS policy -> since when the policy has named it (epoch ms) */
  stsNames: Readonly<Record<string, number>>;
  /**
   * the places the zone is published at (the built-in nameserver, each provider) and, per name,
   * since when each has carried an `_mta-sts` id of a policy naming it; absent (one-shot commands):
   * only the policy server counts
   */
  stsPlaces?: readonly StsPlace[];
  /**
   * a cluster whose live nodes serve different policies (src/cluster/sts-members.ts): those nodes;
   * names not yet cleared wait for them, and the `_mta-sts` record keeps `stsPublishedId`
   */
  stsOthers?: readonly string[];
  /** the id the served zone holds now (kept while `stsOthers` is set) */
  stsPublishedId?: string;
  /** how long resolvers may cache these records (the longest TTL any target publishes them with) */
  ttlMs: number;
}

/** One place that publishes the zone, as far as the MTA-STS safety rule is concerned. */
export interface StsPlace {
  /** `nameserver`, `route53`, `cloudflare` */
  place: string;
  /** each policy name -> since when this place has carried an `_mta-sts` id of a policy naming it */
  names: Readonly<Record<string, number>>;
  /** why its last sync failed (cleared by the next success) */
  error?: string;
}

export interface TransportView {
  sets: RecordSet[];
  notes: string[];
  /** hosts presenting a key no published TLSA has matched for one TTL */
  mismatches: Map<string, Mismatch>;
  /** of those, the ones `onMismatch: withdraw` takes out of MX (desired() keeps the last host) */
  withdraw: Set<string>;
  /**
   * MX names the policy has named for less than one TTL -> when they may enter MX; +Infinity while
   * some place does not carry the policy's id yet (`stsWaiting` says which)
   */
  heldMx: Map<string, number>;
  /** of those, the names waiting for places that do not carry an id naming them yet -> those places */
  stsWaiting: Map<string, string[]>;
  /** the next moment something here changes by itself (a hold or a mismatch ending), or +Infinity */
  nextChange: number;
}

/**
 * For one-shot commands (`zone`, `plan`, `sync --once`, `audit --config`): what one probe round saw.
 * No history, so nothing is held back and only a key contradicting TLSA given by hand is a mismatch.
 */
export function transportFromProbes(config: Config, results: ReadonlyMap<string, { tls?: { keys?: CertDigests | null } | undefined }>, now: number): TransportState {
  const dane: DaneBook = {};
  const presented = new Map<string, CertDigests>();
  for (const [host, result] of results) {
    const digests = result.tls?.keys;
    if (!digests) continue;
    presented.set(host, digests);
    const key = config.auth.dane ? keyOf(digests, config.auth.dane) : null;
    if (key !== null) dane[host] = observe(emptyHostBook(), key, now);
  }
  return { dane, presented, stsNames: Object.fromEntries(policyNames(config).map((name) => [name, 0])), ttlMs: config.ttl * 1000 };
}

/** SMTP to an MX is always port 25 (RFC 5321 5.1), so that is where senders look for TLSA (RFC 7672 2.2.3). */
export function tlsaOwner(host: string): string {
  return `_25._tcp.${host}`;
}

export function transportView(config: Config, now: number, state: TransportState | undefined): TransportView {
  const view: TransportView = { sets: [], notes: [], mismatches: new Map(), withdraw: new Set(), heldMx: new Map(), stsWaiting: new Map(), nextChange: Number.POSITIVE_INFINITY };
  const ttl = config.ttl;
  const txt = (name: string, text: string): RecordSet => ({ name, type: 'TXT', ttl, values: [{ data: { type: 'TXT', strings: splitTxt(text) } }], source: 'auth' });
  const { mtaSts, tlsRpt, dane } = config.auth;

  const policy = mtaStsPolicy(config);
  if (policy && mtaSts) {
    // nodes of a cluster serving another policy: the id stays the one already out (see TransportState)
    const id = state?.stsOthers && state.stsOthers.length > 0 ? (state.stsPublishedId ?? policy.id) : policy.id;
    view.sets.push(txt(`_mta-sts.${config.zone}`, stsRecordText(id)));
    for (const type of ['A', 'AAAA'] as const) {
      const values = mtaSts.address.filter((a) => isIPv6(a) === (type === 'AAAA')).map((address) => ({ data: (type === 'A' ? { type, address } : { type, address: canonicalIPv6(address) }) as RData }));
      if (values.length > 0) view.sets.push({ name: `mta-sts.${config.zone}`, type, ttl, values, source: 'auth' });
    }
    if (state) holdNewNames(view, policy.names, state, now);
  }
  if (tlsRpt) view.sets.push(txt(`_smtp._tls.${config.zone}`, `v=TLSRPTv1; rua=${tlsRpt.rua.join(',')}`));
  if (dane) daneRecords(view, config, now, state);
  return view;
}

/**
 * RFC 8461 safety: a name enters MX only once every sender can know the policy naming it — the
 * policy server has served it, and every place that publishes the zone has carried an `_mta-sts`
 * id of a policy naming it, for one TTL (senders learn a new policy from the id, from whichever
 * authoritative server their resolver asks). A place that does not carry it yet holds the name
 * with no deadline.
 */
function holdNewNames(view: TransportView, names: readonly string[], state: TransportState, now: number): void {
  const others = state.stsOthers ?? [];
  if (others.length > 0) view.notes.push(`MTA-STS: ${others.join(', ')} serve${others.length === 1 ? 's' : ''} another policy: the _mta-sts id stays ${state.stsPublishedId ?? 'as it is'} and new MX names wait until every node serves the same policy`);
  for (const [name, hold] of stsHolds(names, state, now)) {
    if (others.length > 0) {
      view.heldMx.set(name, Number.POSITIVE_INFINITY);
      view.stsWaiting.set(name, [...hold.waiting, ...others]);
      continue;
    }
    view.heldMx.set(name, hold.until);
    if (hold.waiting.length > 0) view.stsWaiting.set(name, hold.waiting);
    else view.nextChange = Math.min(view.nextChange, hold.until);
  }
}

/** The names still held at `now`: when each may enter MX (+Infinity while places lack it) and the places it waits for. */
export function stsHolds(names: readonly string[], state: Pick<TransportState, 'stsNames' | 'stsPlaces' | 'ttlMs'>, now: number): Map<string, { until: number; waiting: string[] }> {
  const holds = new Map<string, { until: number; waiting: string[] }>();
  for (const name of names) {
    let since = state.stsNames[name];
    const waiting: string[] = [];
    for (const place of state.stsPlaces ?? []) {
      const carried = place.names[name];
      if (carried === undefined) waiting.push(place.place);
      else since = Math.max(since ?? carried, carried);
    }
    if (waiting.length > 0) {
      holds.set(name, { until: Number.POSITIVE_INFINITY, waiting });
      continue;
    }
    const until = (since ?? now) + state.ttlMs;
    if (since !== undefined && now >= until) continue;
    holds.set(name, { until, waiting });
  }
  return holds;
}

function daneRecords(view: TransportView, config: Config, now: number, state: TransportState | undefined): void {
  const dane = config.auth.dane;
  if (!dane) return;
  const parameters = { selector: dane.selector, matching: dane.matching };
  const windowMs = 2 * (state?.ttlMs ?? config.ttl * 1000);
  const staticTlsa = dane.mode === 'audit' ? staticTlsaByOwner(config) : new Map<string, Extract<RData, { type: 'TLSA' }>[]>();
  for (const pool of config.pools) {
    if (pool.role !== 'inbound') continue;
    for (const host of pool.hosts) {
      const book = state?.dane[host.name];
      let mismatch: Mismatch | undefined;
      if (dane.mode === 'publish') {
        const next: DaneKey[] = (dane.next[host.name] ?? []).map((hex) => keyFromDigest(hex, parameters));
        const keys = rrsetKeys(book, next, windowMs);
        if (keys.length > 0) view.sets.push({ name: tlsaOwner(host.name), type: 'TLSA', ttl: config.ttl, values: keys.map((key) => ({ data: tlsaData(key) })), source: 'auth' });
        else view.notes.push(`DANE: no TLSA for ${host.name} yet: the probe has not seen its certificate`);
        if (state) mismatch = publishMismatch(book, now, state.ttlMs);
      } else {
        mismatch = staticMismatch(staticTlsa.get(tlsaOwner(host.name)) ?? [], state?.presented?.get(host.name), parameters);
      }
      if (!mismatch) continue;
      view.mismatches.set(host.name, mismatch);
      if (mismatch.until !== undefined) view.nextChange = Math.min(view.nextChange, mismatch.until);
      const why = mismatch.until === undefined ? 'no TLSA record under records: matches it' : `the TLSA holding it has been published for less than one TTL (until ${new Date(mismatch.until).toISOString()})`;
      if (dane.onMismatch === 'withdraw') view.withdraw.add(host.name);
      view.notes.push(`DANE: ${host.name} presents key ${mismatch.key.split(' ')[2]?.slice(0, 16)}...: ${why}${dane.onMismatch === 'withdraw' ? '; out of MX meanwhile (auth.dane.onMismatch: withdraw)' : ''}`);
    }
  }
}

/** TLSA given under `records:` (audit mode), by owner name. Unparsable values are desired()'s to report. */
function staticTlsaByOwner(config: Config): Map<string, Extract<RData, { type: 'TLSA' }>[]> {
  const byOwner = new Map<string, Extract<RData, { type: 'TLSA' }>[]>();
  for (const record of config.records) {
    if (record.type !== 'TLSA') continue;
    try {
      const data = parseRData('TLSA', record.value, config.zone);
      if (data.type === 'TLSA') byOwner.set(record.name, [...(byOwner.get(record.name) ?? []), data]);
    } catch (error) {
      if (!(error instanceof RDataError)) throw error;
    }
  }
  return byOwner;
}
