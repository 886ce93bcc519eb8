// A local fake of the Route 53 API (REST/XML, 2013-04-01) that enforces the rules mxpool must live
// with: atomic change batches (all or nothing), DELETE only with the exact current values, CREATE
// only of what does not exist, weighted and plain sets never mixed, at most 1,000 changes a batch,
// paging by NextRecordName/NextRecordType/NextRecordIdentifier, errors as <ErrorResponse>.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { child, children, element, parseXml, textOf, type XmlNode } from './xml.ts';

export interface FakeRrset {
  name: string; // lower-case FQDN with the trailing dot
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl: number;
  values: string[];
}

export interface InjectedFault {
  /** ListResourceRecordSets | ChangeResourceRecordSets | GetChange; undefined: any */
  operation?: string;
  status: number;
  code: string;
  message?: string;
}

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const MAX_CHANGES = 1000;

class BatchError extends Error {}

function key(set: Pick<FakeRrset, 'name' | 'type' | 'setIdentifier'>): string {
  return `${set.name}|${set.type}|${set.setIdentifier ?? ''}`;
}

function reversedName(name: string): string {
  return name.replace(/\.$/, '').split('.').reverse().join('.');
}

function compareSets(a: Pick<FakeRrset, 'name' | 'type' | 'setIdentifier'>, b: Pick<FakeRrset, 'name' | 'type' | 'setIdentifier'>): number {
  const byName = reversedName(a.name).localeCompare(reversedName(b.name));
  if (byName !== 0) return byName;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return (a.setIdentifier ?? '').localeCompare(b.setIdentifier ?? '');
}

function describe(set: FakeRrset): string {
  return `[name='${set.name}', type='${set.type}'${set.setIdentifier === undefined ? '' : `, set-identifier='${set.setIdentifier}'`}]`;
}

function validateValue(set: FakeRrset, value: string): void {
  const bad = (why: string) => new BatchError(`Invalid Resource Record: 'FATAL problem: ${why} encountered with '${value}''`);
  switch (set.type) {
    case 'A': if (!isIPv4(value)) throw bad('ARRDATAIllegalIPv4Address'); break;
    case 'AAAA': if (!isIPv6(value)) throw bad('AAAARRDATAIllegalIPv6Address'); break;
    case 'MX': if (!/^\d{1,5} \S+$/.test(value)) throw bad('MXRRDATAIllegal'); break;
    case 'TLSA': if (!/^\d{1,3} \d{1,3} \d{1,3} ([0-9a-fA-F]{2})+$/.test(value)) throw bad('TLSARRDATAIllegal'); break;
    case 'TXT': {
      if (!/^("(?:[^"\\]|\\.)*"\s*)+$/.test(value.trim())) throw bad('InvalidCharacterString');
      const strings = value.match(/"((?:[^"\\]|\\.)*)"/g) ?? [];
      if (strings.some((s) => s.replace(/\\(.)/g, '$1').length - 2 > 255)) throw bad('TXTRDATATooLong');
      break;
    }
  }
}

export class Route53Fake {
  readonly zoneId: string;
  readonly zoneName: string;
  /** page size cap for ListResourceRecordSets (the real one is 300) */
  pageSize: number;
  /** GetChange answers PENDING this many times before INSYNC */
  pendingPolls = 1;
  readonly calls = new Map<string, number>();
  /** added before every answer, to stand in for a real API's round trip (benchmarks) */
  latencyMs = 0;
  private readonly sets = new Map<string, FakeRrset>();
  private readonly faults: InjectedFault[] = [];
  private down: InjectedFault | undefined;
  private readonly changes = new Map<string, number>();
  private nextChange = 1;
  private server!: Server;
  endpoint = '';

  private constructor(zoneId: string, zoneName: string, pageSize: number) {
    this.zoneId = zoneId;
    this.zoneName = zoneName.replace(/\.?$/, '.').toLowerCase();
    this.pageSize = pageSize;
  }

  static async start(options: { host: string; zoneId?: string; zoneName?: string; pageSize?: number }): Promise<Route53Fake> {
    const fake = new Route53Fake(options.zoneId ?? 'Z0FAKE', options.zoneName ?? 'example.com', options.pageSize ?? 300);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, options.host, resolve));
    const address = fake.server.address() as AddressInfo;
    fake.endpoint = `http://${options.host}:${address.port}`;
    // the SOA and NS every hosted zone has
    fake.put({ name: fake.zoneName, type: 'SOA', ttl: 900, values: [`ns-1.awsdns.example. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] });
    fake.put({ name: fake.zoneName, type: 'NS', ttl: 172800, values: ['ns-1.awsdns.example.', 'ns-2.awsdns.example.'] });
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A change made by hand in the console: no ownership, no rules. */
  put(set: FakeRrset): void {
    const normal = { ...set, name: set.name.replace(/\.?$/, '.').toLowerCase() };
    this.sets.set(key(normal), normal);
  }

  remove(name: string, type: string, setIdentifier?: string): void {
    this.sets.delete(key({ name: name.replace(/\.?$/, '.').toLowerCase(), type, setIdentifier }));
  }

  get(name: string, type: string, setIdentifier?: string): FakeRrset | undefined {
    return this.sets.get(key({ name: name.replace(/\.?$/, '.').toLowerCase(), type, setIdentifier }));
  }

  list(): FakeRrset[] {
    return [...this.sets.values()].sort(compareSets);
  }

  /** Every request (of `fault.operation`, or any) fails with this error until `outage(undefined)`: an outage, not a blip. */
  outage(fault: InjectedFault | undefined): void {
    this.down = fault;
  }

  /** The next `times` requests (of `operation`, or any) fail with this error. */
  fail(fault: InjectedFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  count(operation: string): number {
    return this.calls.get(operation) ?? 0;
  }

  resetCounts(): void {
    this.calls.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': `req-${Date.now()}` });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    };
    const error = (status: number, code: string, message: string) =>
      send(status, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`);
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) return error(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(url.pathname);
    const change = /^\/2013-04-01\/change\/([^/]+)$/.exec(url.pathname);
    const operation = rrset && req.method === 'GET' ? 'ListResourceRecordSets' : rrset && req.method === 'POST' ? 'ChangeResourceRecordSets' : change ? 'GetChange' : 'Unknown';
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const down = this.down;
    if (down && (down.operation === undefined || down.operation === operation)) return error(down.status, down.code, down.message ?? down.code);
    const faultAt = this.faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (faultAt >= 0) {
      const [fault] = this.faults.splice(faultAt, 1);
      if (fault) return error(fault.status, fault.code, fault.message ?? fault.code);
    }
    if (rrset && decodeURIComponent(rrset[1] as string) !== this.zoneId) return error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${rrset[1]}`);
    if (operation === 'ListResourceRecordSets') return send(200, this.listXml(url.searchParams));
    if (operation === 'ChangeResourceRecordSets') {
      try {
        return send(200, `<ChangeResourceRecordSetsResponse xmlns="${NS}">${this.applyBatch(parseXml(body))}</ChangeResourceRecordSetsResponse>`);
      } catch (failure) {
        if (failure instanceof BatchError) return error(400, 'InvalidChangeBatch', `[${failure.message}]`);
        return error(400, 'InvalidInput', String(failure));
      }
    }
    if (change) {
      const id = decodeURIComponent(change[1] as string).replace(/^\/?change\//, '');
      const left = this.changes.get(id);
      if (left === undefined) return error(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
      this.changes.set(id, Math.max(0, left - 1));
      return send(200, `<GetChangeResponse xmlns="${NS}">${this.changeInfo(id, left > 0 ? 'PENDING' : 'INSYNC')}</GetChangeResponse>`);
    }
    return error(404, 'UnknownOperation', `${req.method} ${url.pathname}`);
  }

  private changeInfo(id: string, status: string): string {
    return `<ChangeInfo><Id>/change/${id}</Id><Status>${status}</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt></ChangeInfo>`;
  }

  private listXml(query: URLSearchParams): string {
    const max = Math.min(Number(query.get('maxitems') ?? this.pageSize) || this.pageSize, this.pageSize);
    const start = query.get('name');
    const startType = query.get('type') ?? undefined;
    const startId = query.get('identifier') ?? undefined;
    let all = this.list();
    if (start) {
      const from = { name: start.replace(/\.?$/, '.').toLowerCase(), type: startType ?? '', setIdentifier: startId };
      all = all.filter((set) => compareSets(set, from) >= 0);
    }
    const page = all.slice(0, max);
    const next = all[max];
    const sets = page.map((set) =>
      element('ResourceRecordSet', [
        element('Name', set.name.replace(/\*/g, '\\052')),
        element('Type', set.type),
        element('SetIdentifier', set.setIdentifier),
        element('Weight', set.weight),
        element('TTL', set.ttl),
        element('ResourceRecords', set.values.map((v) => element('ResourceRecord', [element('Value', v)]))),
      ]),
    );
    const paging = next
      ? [element('IsTruncated', 'true'), element('NextRecordName', next.name), element('NextRecordType', next.type), element('NextRecordIdentifier', next.setIdentifier)].join('')
      : element('IsTruncated', 'false');
    return `<ListResourceRecordSetsResponse xmlns="${NS}">${element('ResourceRecordSets', sets)}${paging}${element('MaxItems', max)}</ListResourceRecordSetsResponse>`;
  }

  private readSet(node: XmlNode | undefined): FakeRrset {
    if (!node) throw new BatchError('ResourceRecordSet is required');
    const name = (textOf(node, 'Name') ?? '').replace(/\\052/g, '*').replace(/\.?$/, '.').toLowerCase();
    const type = textOf(node, 'Type') ?? '';
    const ttl = textOf(node, 'TTL');
    const setIdentifier = textOf(node, 'SetIdentifier');
    const weight = textOf(node, 'Weight');
    const values = children(child(node, 'ResourceRecords'), 'ResourceRecord').map((r) => textOf(r, 'Value') ?? '');
    if (!name.endsWith(this.zoneName)) throw new BatchError(`RRSet with DNS name ${name} is not permitted in zone ${this.zoneName}`);
    if (ttl === undefined) throw new BatchError(`RRSet ${name} type ${type} is missing a TTL`);
    if (values.length === 0) throw new BatchError(`RRSet ${name} type ${type} has no resource records`);
    if ((setIdentifier === undefined) !== (weight === undefined)) throw new BatchError(`Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in Change with [Action=?, Name=${name}, Type=${type}, SetIdentifier=${setIdentifier ?? 'null'}]`);
    if (new Set(values).size !== values.length) throw new BatchError(`Duplicate Resource Record: '${values.find((v, i) => values.indexOf(v) !== i)}'`);
    const set: FakeRrset = { name, type, ttl: Number(ttl), values };
    if (setIdentifier !== undefined) set.setIdentifier = setIdentifier;
    if (weight !== undefined) set.weight = Number(weight);
    for (const value of values) validateValue(set, value);
    return set;
  }

  /** Applies every change to a copy; the zone only changes if all of them succeed. */
  private applyBatch(doc: XmlNode): string {
    const batch = child(child(child(doc, 'ChangeResourceRecordSetsRequest'), 'ChangeBatch'), 'Changes');
    const list = children(batch, 'Change');
    if (list.length === 0) throw new BatchError('Changes must contain at least one change');
    if (list.length > MAX_CHANGES) throw new BatchError(`Number of changes ${list.length} exceeds the limit of ${MAX_CHANGES}`);
    let records = 0;
    let chars = 0;
    for (const change of list) {
      const factor = textOf(change, 'Action') === 'UPSERT' ? 2 : 1;
      const values = children(child(child(change, 'ResourceRecordSet'), 'ResourceRecords'), 'ResourceRecord').map((r) => textOf(r, 'Value') ?? '');
      records += values.length * factor;
      chars += values.reduce((sum, v) => sum + v.length, 0) * factor;
    }
    if (records > 1000) throw new BatchError(`Number of records in the change batch (${records}, UPSERT counted twice) exceeds the limit of 1000`);
    if (chars > 32_000) throw new BatchError(`Number of characters in the values of the change batch (${chars}) exceeds the limit of 32000`);
    const next = new Map(this.sets);
    for (const change of list) {
      const action = textOf(change, 'Action');
      const set = this.readSet(child(change, 'ResourceRecordSet'));
      const existing = next.get(key(set));
      if (action === 'DELETE') {
        if (!existing) throw new BatchError(`Tried to delete resource record set ${describe(set)} but it was not found`);
        const same = existing.ttl === set.ttl && existing.weight === set.weight && [...existing.values].sort().join('\n') === [...set.values].sort().join('\n');
        if (!same) throw new BatchError(`Tried to delete resource record set ${describe(set)} but the values provided do not match the current values`);
        next.delete(key(set));
        continue;
      }
      if (action !== 'CREATE' && action !== 'UPSERT') throw new BatchError(`Unknown action ${action ?? '(none)'}`);
      if (action === 'CREATE' && existing) throw new BatchError(`Tried to create resource record set ${describe(set)} but it already exists`);
      const siblings = [...next.values()].filter((s) => s.name === set.name && s.type === set.type && key(s) !== key(set));
      if (siblings.some((s) => (s.setIdentifier === undefined) !== (set.setIdentifier === undefined))) {
        throw new BatchError(`RRSet ${describe(set)} cannot be created: weighted and non-weighted record sets of the same name and type cannot coexist`);
      }
      if (set.type === 'CNAME' && [...next.values()].some((s) => s.name === set.name && s.type !== 'CNAME')) {
        throw new BatchError(`RRSet of type CNAME with DNS name ${set.name} is not permitted as it conflicts with other records with the same DNS name in zone ${this.zoneName}`);
      }
      next.set(key(set), set);
    }
    this.sets.clear();
    for (const [k, v] of next) this.sets.set(k, v);
    const id = `C${String(this.nextChange++).padStart(6, '0')}`;
    this.changes.set(id, this.pendingPolls);
    return this.changeInfo(id, 'PENDING');
  }
}
