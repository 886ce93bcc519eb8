// PURE: zone index + decoded query -> response (sections as data). No sockets, no clock; the random
// source picks a precomputed weighted rotation. Behaviour (RFC 1034/1035, 2308, 6891, 8482, 4343):
// AA on authoritative data; REFUSED outside the zone (never recursion); NXDOMAIN/NODATA with the SOA
// in authority at the negative TTL; CNAME chains followed inside the zone; A/AAAA of MX, NS and SRV
// targets in additional; delegations answered with a referral; ANY answered with one RRset.
import { RECORD_TYPES, type RData, type RecordType } from '../model.ts';
import type { CompiledSet, ZoneIndex } from './zoneindex.ts';
import type { Edns, Query, Question } from './query.ts';
import { CLASS, OPCODE, RCODE, TYPE } from './constants.ts';
import { nameLabels, type WireRecord } from './writer.ts';

export type Transport = 'udp' | 'tcp';

export interface Response {
  id: number;
  opcode: number;
  aa: boolean;
  rd: boolean;
  cd: boolean;
  /** full rcode; values over 15 go into the OPT record (BADVERS) */
  rcode: number;
  question?: Question;
  answer: WireRecord[];
  authority: WireRecord[];
  additional: WireRecord[];
  /** present when the query had EDNS: our OPT (payload, DO echoed) */
  edns?: { payload: number; do: boolean };
  /** 'transfer': AXFR/IXFR over TCP (and IXFR over UDP), which the server answers from transfer.ts */
  transfer?: 'axfr' | 'ixfr';
  /** true when a weighted rotation was picked: the fast path then learns the answer per rotation slot */
  rotated?: boolean;
  /** the weighted sets whose rotation was picked (their slot classes say which slots answer alike) */
  rotatedSets?: CompiledSet[];
  /**
   * The one rotated set, when it ends the message (the last records of the answer section; nothing
   * after them but the OPT): its records are encoded without compressing against one another, so
   * every order of them is the same bytes rearranged and the fast path keeps one template for all.
   */
  rotating?: RotatingRun;
}

export interface RotatingRun {
  /** index in `answer` of the set's first record */
  start: number;
  /** the order picked: `answer[start + k]` holds the set's value `order[k]` */
  order: readonly number[];
  /** every order of the set (a query picks one uniformly) */
  rotations: readonly (readonly number[])[];
}

export interface AnswerContext {
  transport: Transport;
  random: () => number;
}

const MAX_CNAME_CHAIN = 16;
const ANY_PREFERENCE: RecordType[] = ['CNAME', 'A', 'AAAA', 'MX', 'TXT', 'SRV', 'CAA', 'TLSA', 'PTR', 'NS', 'SOA'];
const TYPE_BY_CODE = new Map<number, RecordType>(RECORD_TYPES.map((t) => [TYPE[t], t]));

/** The reply to a question that could not be decoded or is not supported: header, question, OPT. */
export function errorResponse(base: { id: number; opcode: number; rd: boolean; cd?: boolean; question?: Question; edns?: Edns }, rcode: number): Response {
  return {
    id: base.id,
    opcode: base.opcode,
    aa: false,
    rd: base.rd,
    cd: base.cd ?? false,
    rcode,
    ...(base.question ? { question: base.question } : {}),
    answer: [],
    authority: [],
    additional: [],
    ...(base.edns ? { edns: { payload: replyPayload(base.edns), do: base.edns.do } } : {}),
  };
}

export function replyPayload(edns: Edns): number {
  return Math.min(Math.max(edns.payload, 512), 1232);
}

export function answer(zone: ZoneIndex, query: Query, context: AnswerContext): Response {
  const { question } = query;
  if (query.opcode !== OPCODE.QUERY) return errorResponse(query, RCODE.NOTIMP);
  if (query.edns && query.edns.version !== 0) return errorResponse(query, RCODE.BADVERS);
  const type = question.type;
  if (type === TYPE.OPT || type === TYPE.TSIG || type === TYPE.TKEY) return errorResponse(query, RCODE.FORMERR);
  if (type === TYPE.MAILA || type === TYPE.MAILB) return errorResponse(query, RCODE.NOTIMP);
  if (question.class !== CLASS.IN && question.class !== CLASS.ANY) return errorResponse(query, RCODE.REFUSED);

  const name = ownerName(question.lower, zone);
  if (name === undefined) return errorResponse(query, RCODE.REFUSED);

  const response: Response = { ...errorResponse(query, RCODE.NOERROR), aa: true };
  if (type === TYPE.AXFR || type === TYPE.IXFR) {
    if (name !== zone.zone) return { ...errorResponse(query, RCODE.NOTAUTH) };
    // IXFR over UDP too: the transfer code answers from the journal when that fits in one
    // message, else with the current SOA alone ("ask over TCP", RFC 1995 4)
    if (context.transport === 'tcp' || type === TYPE.IXFR) return { ...response, transfer: type === TYPE.AXFR ? 'axfr' : 'ixfr' };
    return errorResponse(query, RCODE.FORMERR); // AXFR needs TCP (RFC 5936 4.2)
  }

  let owner = name;
  let ownerLabels = question.labels;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const cut = delegationFor(owner, zone);
    if (cut !== undefined && !(type === TYPE.DS && cut === owner)) {
      if (hop > 0) return response; // a CNAME into a delegated child: the resolver takes it from here
      return referral(response, zone, cut, context);
    }
    const node = zone.nodes.get(owner);
    if (!node) {
      if (!zone.existing.has(owner)) response.rcode = RCODE.NXDOMAIN;
      return withSoa(response, zone);
    }
    const cname = node.get('CNAME');
    if (cname && type !== TYPE.CNAME && type !== TYPE.ANY) {
      response.answer.push(...toRecord(ownerLabels, cname, context.random));
      if (cname.rotations) markRotated(response, cname);
      const target = (cname.data[0] as Extract<RData, { type: 'CNAME' }>).target;
      if (ownerName(nameLabels(target), zone) === undefined) return response;
      if (response.answer.filter((r) => r.type === TYPE.CNAME).some((r) => r.labels.join('.').toLowerCase() === target)) return response; // loop
      owner = target;
      ownerLabels = nameLabels(target);
      continue;
    }
    const set = type === TYPE.ANY ? ANY_PREFERENCE.map((t) => node.get(t)).find((s) => s !== undefined) : node.get(TYPE_BY_CODE.get(type) as RecordType);
    if (!set) return withSoa(response, zone);
    const order = pickOrder(set, context.random);
    const records = recordsOf(ownerLabels, set, order);
    if (order) markRotated(response, set);
    const start = response.answer.length;
    response.answer.push(...records);
    response.additional.push(...targetAddresses(records, zone, context));
    if (order && set.rotations && response.additional.length === 0 && response.rotatedSets?.length === 1) response.rotating = { start, order, rotations: set.rotations };
    return response;
  }
  return response;
}

/** The zone-relative owner for a question, or undefined when the name is outside the zone. */
function ownerName(lower: string[], zone: ZoneIndex): string | undefined {
  const z = zone.zoneLabels;
  if (lower.length < z.length) return undefined;
  for (let i = 1; i <= z.length; i++) if (lower[lower.length - i] !== z[z.length - i]) return undefined;
  // a label holding a dot cannot match any zone name; keep it distinct from the dotted form
  if (lower.some((label) => label.includes('.'))) return `\u0000${lower.join('\u0000')}`;
  return lower.join('.');
}

function delegationFor(owner: string, zone: ZoneIndex): string | undefined {
  if (zone.delegations.size === 0) return undefined;
  let found: string | undefined;
  for (let name = owner; name.length > zone.zone.length; name = name.slice(name.indexOf('.') + 1)) {
    if (zone.delegations.has(name)) found = name; // keep going: the cut closest to the apex wins
    if (!name.includes('.')) break;
  }
  return found;
}

function referral(response: Response, zone: ZoneIndex, cut: string, context: AnswerContext): Response {
  const ns = zone.nodes.get(cut)?.get('NS') as CompiledSet;
  const records = toRecord(nameLabels(cut), ns, context.random);
  const result: Response = { ...response, aa: false, authority: records, additional: targetAddresses(records, zone, context) };
  if (ns.rotations) markRotated(result, ns);
  return result;
}

function markRotated(response: Response, set: CompiledSet): void {
  response.rotated = true;
  (response.rotatedSets ??= []).push(set);
}

function withSoa(response: Response, zone: ZoneIndex): Response {
  const soa = { ...zone.soa, ttl: zone.negativeTtl };
  response.authority.push({ labels: zone.zoneLabels, type: TYPE.SOA, ttl: soa.ttl, data: soa.data[0] as RData });
  return response;
}

function toRecord(labels: string[], set: CompiledSet, random: () => number): WireRecord[] {
  return recordsOf(labels, set, pickOrder(set, random));
}

/** A weighted set's order for one answer (one of its rotations, uniformly); undefined = fixed order. */
export function pickOrder(set: { readonly rotations: readonly (readonly number[])[] | undefined }, random: () => number): readonly number[] | undefined {
  const rotations = set.rotations;
  return rotations ? rotations[Math.min(Math.floor(random() * rotations.length), rotations.length - 1)] : undefined;
}

function recordsOf(labels: string[], set: CompiledSet, order: readonly number[] | undefined): WireRecord[] {
  const type = TYPE[set.type];
  const data = order ? order.map((i) => set.data[i] as RData) : set.data;
  return data.map((d) => ({ labels, type, ttl: set.ttl, data: d }));
}

/** A/AAAA of in-zone MX, NS and SRV targets (RFC 1035 3.3.9, 3.3.11; RFC 2782). */
function targetAddresses(records: WireRecord[], zone: ZoneIndex, context: AnswerContext): WireRecord[] {
  const extra: WireRecord[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const d = record.data;
    const target = d.type === 'MX' ? d.exchange : d.type === 'NS' || d.type === 'SRV' ? d.target : undefined;
    if (target === undefined || seen.has(target)) continue;
    seen.add(target);
    const node = zone.nodes.get(target);
    for (const type of ['A', 'AAAA'] as const) {
      const set = node?.get(type);
      if (set) extra.push(...toRecord(nameLabels(target), set, context.random));
    }
  }
  return extra;
}
