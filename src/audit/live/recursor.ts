// Resolves questions for the auditor the way a careful stub-plus resolver would, and as cheaply as
// possible for a run over thousands of domains:
// - ONE cache for the whole run: answers for their TTL, NXDOMAIN/NODATA for the SOA minimum
//   (RFC 2308 5), server failures and timeouts for FAILURE_TTL (RFC 2308 7: at most 5 minutes);
// - in-flight de-duplication: two domains asking the same name at once share one query;
// - at most `concurrency` queries on the wire at once;
// - referrals are followed (an authoritative start server that delegates a zone), zone cuts kept
//   for their NS TTL; a delegated server that refuses, or answers without authority and without a
//   closer referral, is lame (temperror); a server that never answers is dead for FAILURE_TTL, so
//   one domain's dead nameservers cost their timeouts once, not once per question; a start server
//   that answers nothing at all stops being waited for (start-servers.ts);
// - CNAME chains are followed (at most MAX_CHAIN links).
// Never throws: every outcome is a Lookup (the auditor's Answer, with records as wire data).
import { RCODE, TYPE } from '../../dns/constants.ts';
import { serverLabel, type QueryResult, type ServerAddress } from '../../dns/client.ts';
import type { RecordData, ResponseMessage, ResponseRecord } from '../../dns/message.ts';
import { inZone } from '../../dns/name.ts';
import { ConcurrencyLimit } from '../../probe/limit.ts';
import { StartServers } from './start-servers.ts';
import { TtlCache } from './ttl-cache.ts';

export type QueryType = 'A' | 'AAAA' | 'NS' | 'CNAME' | 'PTR' | 'MX' | 'TXT' | 'TLSA';

export type Lookup =
  /** `signed` (TLSA, asked with DO): an RRSIG covers the records, or a validating resolver set AD */
  | { status: 'ok'; records: RecordData[]; ttl: number; signed?: boolean }
  | { status: 'nxdomain' }
  | { status: 'nodata' }
  | { status: 'temperror'; reason: string }
  /** the start server refused: an authoritative-only server asked about a name it does not serve */
  | { status: 'unresolvable'; reason: string };

/** The transport (DnsClient.query): the first answer from `servers`, `attempts` messages within the timeout. */
export interface Exchanger {
  query(servers: readonly ServerAddress[], name: string, type: number, attempts: number): Promise<QueryResult>;
}

export interface RecursorOptions {
  client: Exchanger;
  /** where every question starts: --nameserver, or the system's resolvers */
  servers: readonly ServerAddress[];
  /** queries on the wire at once */
  concurrency: number;
  /** messages per question within the timeout (default 2): retransmissions go to the next server of the zone, if any */
  tries?: number;
  /** epoch ms (the caches' clock) */
  now?: () => number;
  /** the transport's timeout per question (default 5000): a silent start server is asked again once per timeout */
  timeoutMs?: number;
}

/** How long a failure (SERVFAIL, timeout, lame or dead server) is remembered. RFC 2308 7: at most 300 s. */
export const FAILURE_TTL = 60;
const MAX_REFERRALS = 10;
const MAX_CHAIN = 8;
/** nested resolutions (a glue-less nameserver's address, a CNAME target) before giving up */
const MAX_DEPTH = 4;
/** addresses of a zone's nameservers tried per question */
const MAX_SERVERS = 4;

interface Cut {
  zone: string;
  servers: ServerAddress[];
  /** the start servers (never marked dead: a recursive resolver slow on one name is not dead) */
  start: boolean;
}

type Reply = { ok: true; message: ResponseMessage; server: ServerAddress; zone: string } | { ok: false; lookup: Lookup };

export class Recursor {
  readonly #options: RecursorOptions;
  readonly #limit: ConcurrencyLimit;
  readonly #answers: TtlCache<Lookup>;
  readonly #cuts: TtlCache<Cut>;
  readonly #dead: TtlCache<string>;
  readonly #start: StartServers;
  readonly #inFlight = new Map<string, Promise<Lookup>>();

  constructor(options: RecursorOptions) {
    if (options.servers.length === 0) throw new RangeError('no nameserver to ask');
    this.#options = options;
    this.#limit = new ConcurrencyLimit(options.concurrency);
    const now = options.now ?? Date.now;
    this.#answers = new TtlCache({ now });
    this.#cuts = new TtlCache({ now, maxEntries: 10_000 });
    this.#dead = new TtlCache({ now, maxEntries: 10_000 });
    // two full rounds of questions in flight, all unanswered: a resolver that slow is not answering
    this.#start = new StartServers(options.servers, { silentLimit: Math.max(8, 2 * options.concurrency), probeEveryMs: options.timeoutMs ?? 5000, now });
  }

  /** `name` normalised (lower case, no trailing dot). */
  lookup(name: string, type: QueryType): Promise<Lookup> {
    return this.#lookup(name, type, 0);
  }

  #lookup(name: string, type: QueryType, depth: number): Promise<Lookup> {
    const key = `${type} ${name}`;
    const cached = this.#answers.get(key);
    if (cached) return Promise.resolve(cached);
    // nested lookups do not join in-flight ones: two resolutions waiting on each other would never end
    const shared = depth === 0 ? this.#inFlight.get(key) : undefined;
    if (shared) return shared;
    const running = this.#resolve(name, type, depth).then(({ lookup, ttl }) => {
      this.#answers.set(key, lookup, ttl);
      if (depth === 0) this.#inFlight.delete(key);
      return lookup;
    });
    if (depth === 0) this.#inFlight.set(key, running);
    return running;
  }

  async #resolve(name: string, type: QueryType, depth: number): Promise<{ lookup: Lookup; ttl: number }> {
    const reply = await this.#iterate(name, type, depth);
    if (!reply.ok) return { lookup: reply.lookup, ttl: FAILURE_TTL };
    const message = reply.message;
    // the answer may be a CNAME chain (RFC 1034 3.6.2): follow it inside the message first
    let owner = name;
    let ttl = Number.MAX_SAFE_INTEGER;
    for (let link = 0; link <= MAX_CHAIN; link++) {
      const records = message.answer.filter((rr) => rr.name === owner && rr.data.type === type);
      if (records.length > 0) {
        const lookup: Lookup = { status: 'ok', records: records.map((rr) => rr.data), ttl: minTtl(records) };
        if (type === 'TLSA') lookup.signed = message.ad === true || message.answer.some((rr) => rr.name === owner && rr.data.type === 'RRSIG' && rr.data.covered === TYPE.TLSA);
        return { lookup, ttl: Math.min(ttl, minTtl(records)) };
      }
      const alias = type === 'CNAME' ? undefined : message.answer.find((rr) => rr.name === owner && rr.data.type === 'CNAME');
      if (!alias || alias.data.type !== 'CNAME') break;
      ttl = Math.min(ttl, alias.ttl);
      owner = alias.data.target;
    }
    if (owner !== name && message.rcode === RCODE.NOERROR && !hasNegativeProof(message)) {
      // the chain leaves the message: resolve the target from the top
      if (depth >= MAX_DEPTH) return { lookup: { status: 'temperror', reason: `${name}: CNAME chain too long` }, ttl: FAILURE_TTL };
      const target = await this.#lookup(owner, type, depth + 1);
      return { lookup: target, ttl: target.status === 'ok' ? Math.min(ttl, target.ttl) : 0 };
    }
    const negative = negativeTtl(message);
    if (message.rcode === RCODE.NXDOMAIN) return { lookup: { status: 'nxdomain' }, ttl: negative };
    return { lookup: { status: 'nodata' }, ttl: negative };
  }

  /** Asks from the closest known zone cut down, following referrals, until an answer or a failure. */
  async #iterate(name: string, type: QueryType, depth: number): Promise<Reply> {
    let cut = this.#closestCut(name);
    for (let hop = 0; hop < MAX_REFERRALS; hop++) {
      const reply = await this.#ask(cut, name, type);
      if (!reply.ok) return reply;
      const { message, server } = reply;
      const from = serverLabel(server);
      const delegated = !cut.start;
      switch (message.rcode) {
        case RCODE.NOERROR:
        case RCODE.NXDOMAIN:
          break;
        case RCODE.SERVFAIL:
          return failure('temperror', `${name}: SERVFAIL from ${from}`);
        case RCODE.REFUSED:
          if (!delegated) return failure('unresolvable', `${name}: the nameserver refused the query (not authoritative for it)`);
          return failure('temperror', `${name}: lame delegation: ${from} is a nameserver of ${cut.zone} but refused the query`);
        default:
          return failure('temperror', `${name}: ${from} answered RCODE ${message.rcode}`);
      }
      if (message.rcode === RCODE.NXDOMAIN || message.answer.length > 0 || message.aa || hasNegativeProof(message)) return reply;
      const next = referral(message, name, cut.zone);
      if (!next) {
        if (!delegated) return reply; // a recursive resolver's NODATA without SOA
        return failure('temperror', `${name}: lame delegation: ${from} is a nameserver of ${cut.zone} but answered without authority`);
      }
      const servers = await this.#addresses(next, depth);
      if (servers.length === 0) return failure('temperror', `${name}: no address for any nameserver of ${next.zone} (${next.targets.join(', ')})`);
      cut = { zone: next.zone, servers, start: false };
      this.#cuts.set(next.zone, cut, next.ttl);
    }
    return failure('temperror', `${name}: more than ${MAX_REFERRALS} referrals`);
  }

  #closestCut(name: string): Cut {
    const labels = name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const cut = this.#cuts.get(labels.slice(i).join('.'));
      if (cut) return cut;
    }
    return { zone: '', servers: [...this.#options.servers], start: true };
  }

  /** The addresses of a referral's nameservers: glue first, else looked up (out-of-zone names only). */
  async #addresses(next: NonNullable<ReturnType<typeof referral>>, depth: number): Promise<ServerAddress[]> {
    const found = next.glue.map((host) => ({ host, port: 53 }));
    if (found.length > 0 || depth >= MAX_DEPTH) return found.slice(0, MAX_SERVERS);
    for (const target of next.targets.slice(0, MAX_SERVERS)) {
      if (inZone(target, next.zone)) continue; // needs glue we were not given
      const answer = await this.#lookup(target, 'A', depth + 1);
      if (answer.status === 'ok') for (const data of answer.records) if (data.type === 'A') found.push({ host: data.address, port: 53 });
      if (found.length >= MAX_SERVERS) break;
    }
    return found.slice(0, MAX_SERVERS);
  }

  /** One question to a zone's live servers: `tries` messages at least, each live server asked once at least. */
  async #ask(cut: Cut, name: string, type: QueryType): Promise<Reply> {
    if (cut.start) return this.#askStart(name, type);
    const live = cut.servers.filter((s) => this.#dead.get(serverLabel(s)) === undefined);
    if (live.length === 0) {
      const why = this.#dead.get(serverLabel(cut.servers[0] as ServerAddress)) ?? 'no answer';
      return failure('temperror', `${name}: every nameserver of ${cut.zone} failed (${why})`);
    }
    const attempts = Math.max(this.#options.tries ?? 2, live.length);
    const result = await this.#limit.run(() => this.#options.client.query(live, name, TYPE[type], attempts));
    if (result.ok) return { ok: true, message: result.message, server: result.server, zone: cut.zone };
    // a delegated server that did not answer is dead for a while (RFC 2308 7.2)
    for (const f of result.failures) this.#dead.set(serverLabel(f.server), f.reason.replace(/^\S+: /, ''), FAILURE_TTL);
    return failure('temperror', `${name}: ${[...new Set(result.failures.map((f) => f.reason))].join('; ') || 'no answer'}`);
  }

  /** A question to the start servers: never marked dead by one timeout, but not waited for once silent (start-servers.ts). */
  async #askStart(name: string, type: QueryType): Promise<Reply> {
    const start = this.#start;
    // picked when the question gets its turn on the wire: questions queued behind a silent server's timeouts fail at once
    const result = await this.#limit.run(async () => {
      const live = start.pick();
      if (live.length === 0) return undefined;
      const sent = await this.#options.client.query(live, name, TYPE[type], Math.max(this.#options.tries ?? 2, live.length));
      // counted before the slot is free: the next question picks with this outcome known
      if (sent.ok) start.answered(sent.server);
      else for (const server of new Map(sent.failures.map((f) => [serverLabel(f.server), f.server])).values()) start.failed(server);
      return sent;
    });
    if (result === undefined) return failure('temperror', `${name}: ${start.why()}`);
    if (result.ok) return { ok: true, message: result.message, server: result.server, zone: '' };
    return failure('temperror', `${name}: ${[...new Set(result.failures.map((f) => f.reason))].join('; ') || 'no answer'}`);
  }
}

function failure(status: 'temperror' | 'unresolvable', reason: string): Reply {
  return { ok: false, lookup: { status, reason } };
}

function minTtl(records: readonly ResponseRecord[]): number {
  return Math.min(...records.map((rr) => rr.ttl));
}

/** An SOA in the authority section: the server says the name or type does not exist (RFC 2308 2). */
function hasNegativeProof(message: ResponseMessage): boolean {
  return message.authority.some((rr) => rr.data.type === 'SOA');
}

/** RFC 2308 5: the negative TTL is the lesser of the SOA's own TTL and its MINIMUM; without SOA, not cached. */
function negativeTtl(message: ResponseMessage): number {
  const soa = message.authority.find((rr) => rr.data.type === 'SOA');
  return soa && soa.data.type === 'SOA' ? Math.min(soa.ttl, soa.data.minimum) : 0;
}

/** A referral to a zone closer to `name` than `current`: its NS names, glue addresses and TTL. */
function referral(message: ResponseMessage, name: string, current: string) {
  const ns = message.authority.filter((rr) => rr.data.type === 'NS');
  const zone = ns[0]?.name;
  if (zone === undefined || !inZone(name, zone) || zone === current || !inZone(zone, current)) return undefined;
  const targets = ns.filter((rr) => rr.name === zone).flatMap((rr) => (rr.data.type === 'NS' ? [rr.data.target] : []));
  const glue = message.additional.flatMap((rr) => (rr.data.type === 'A' && targets.includes(rr.name) ? [rr.data.address] : []));
  return { zone, targets, glue: [...new Set(glue)], ttl: minTtl(ns) };
}
