// A local fake of the Cloudflare v4 DNS records API that enforces what mxpool must live with:
// {success, errors, messages, result, result_info} envelopes, page/per_page paging, Bearer tokens,
// the batch endpoint as one transaction run in the order deletes -> patches -> puts -> posts,
// TTL 1 (automatic) or 60..86400, no identical duplicates, comments up to 100 characters, and
// 429 with Retry-After when told to throttle.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';

export interface FakeCfRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority?: number;
  comment?: string | null;
  proxied?: boolean;
  /** TLSA is written through data; content is then formatted from it */
  data?: { usage: number; selector: number; matching_type: number; certificate: string };
}

export interface CfFault {
  /** 'list' | 'batch'; undefined: any request */
  operation?: string;
  status: number;
  /** seconds, sent as Retry-After */
  retryAfter?: number;
  message?: string;
}

class CfError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

type Body = Partial<FakeCfRecord> & { id?: string };

export class CloudflareFake {
  readonly zoneId: string;
  readonly zoneName: string;
  readonly token: string;
  /** largest per_page honoured (the real API allows more; small values exercise paging) */
  maxPerPage: number;
  readonly calls = new Map<string, number>();
  /** added before every answer, to stand in for a real API's round trip (benchmarks) */
  latencyMs = 0;
  /** every batch body received, in order (to check what was sent) */
  readonly batches: Array<{ deletes: number; patches: number; puts: number; posts: number }> = [];
  private readonly records = new Map<string, FakeCfRecord>();
  private readonly faults: CfFault[] = [];
  private down: CfFault | undefined;
  private nextId = 1;
  private server!: Server;
  baseUrl = '';

  private constructor(zoneId: string, zoneName: string, token: string, maxPerPage: number) {
    this.zoneId = zoneId;
    this.zoneName = zoneName;
    this.token = token;
    this.maxPerPage = maxPerPage;
  }

  static async start(options: { host: string; zoneId?: string; zoneName?: string; token?: string; maxPerPage?: number }): Promise<CloudflareFake> {
    const fake = new CloudflareFake(options.zoneId ?? 'cf0zone', options.zoneName ?? 'example.com', options.token ?? 'test-token', options.maxPerPage ?? 5000);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, options.host, resolve));
    fake.baseUrl = `http://${options.host}:${(fake.server.address() as AddressInfo).port}/client/v4`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A record made by hand in the dashboard. */
  add(record: Omit<FakeCfRecord, 'id'>): FakeCfRecord {
    const stored = { proxied: false, comment: null, ...record, id: this.newId() };
    this.records.set(stored.id, stored);
    return stored;
  }

  edit(id: string, fields: Partial<FakeCfRecord>): void {
    const record = this.records.get(id);
    if (!record) throw new Error(`no record ${id}`);
    this.records.set(id, { ...record, ...fields, id });
  }

  list(): FakeCfRecord[] {
    return [...this.records.values()];
  }

  find(name: string, type: string): FakeCfRecord[] {
    return this.list().filter((r) => r.name === name && r.type === type);
  }

  /** Every request (of `fault.operation`, or any) fails with this error until `outage(undefined)`. */
  outage(fault: CfFault | undefined): void {
    this.down = fault;
  }

  fail(fault: CfFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  count(operation: string): number {
    return this.calls.get(operation) ?? 0;
  }

  resetCounts(): void {
    this.calls.clear();
    this.batches.length = 0;
  }

  private newId(): string {
    return (this.nextId++).toString(16).padStart(32, '0');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const url = new URL(req.url ?? '/', 'http://fake');
    const reply = (status: number, body: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const failure = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
      reply(status, { success: false, errors: [{ code, message }], messages: [], result: null }, headers);
    if (req.headers.authorization !== `Bearer ${this.token}`) return failure(403, 10000, 'Authentication error');
    const path = url.pathname.replace(/^\/client\/v4/, '');
    const list = /^\/zones\/([^/]+)\/dns_records\/?$/.exec(path);
    const batch = /^\/zones\/([^/]+)\/dns_records\/batch$/.exec(path);
    const operation = list && req.method === 'GET' ? 'list' : batch && req.method === 'POST' ? 'batch' : 'unknown';
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const down = this.down && (this.down.operation === undefined || this.down.operation === operation) ? this.down : undefined;
    const faultAt = down ? -1 : this.faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (down || faultAt >= 0) {
      const [fault] = down ? [down] : this.faults.splice(faultAt, 1);
      if (fault) {
        const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
        return failure(fault.status, fault.status === 429 ? 971 : 10001, fault.message ?? (fault.status === 429 ? 'Please wait and consider throttling your request speed' : 'Internal server error'), headers);
      }
    }
    const zone = (list ?? batch)?.[1];
    if (zone !== undefined && zone !== this.zoneId) return failure(404, 7003, 'Could not route to /zones/..., perhaps your object identifier is invalid?');
    if (operation === 'list') {
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 100) || 100, this.maxPerPage);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      const all = this.list().sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
      const result = all.slice((page - 1) * perPage, page * perPage);
      return reply(200, { success: true, errors: [], messages: [], result, result_info: { page, per_page: perPage, count: result.length, total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage)) } });
    }
    if (operation === 'batch') {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { deletes?: Body[]; patches?: Body[]; puts?: Body[]; posts?: Body[] };
        return reply(200, { success: true, errors: [], messages: [], result: this.applyBatch(body) });
      } catch (error) {
        if (error instanceof CfError) return failure(400, error.code, error.message);
        return failure(400, 9207, `Request body is invalid: ${String(error)}`);
      }
    }
    return failure(404, 7000, 'No route for that URI');
  }

  /** Like the real API: a TLSA record's content is made from its data (content sent alone is not enough). */
  private withTlsaContent(record: FakeCfRecord): FakeCfRecord {
    if (record.type !== 'TLSA') return record;
    const d = record.data;
    if (!d || ![d.usage, d.selector, d.matching_type].every((n) => Number.isInteger(n) && n >= 0 && n <= 255) || !/^([0-9a-fA-F]{2})+$/.test(d.certificate ?? '')) {
      throw new CfError(9101, 'TLSA records need data: { usage, selector, matching_type, certificate (hex) }');
    }
    return { ...record, content: `${d.usage} ${d.selector} ${d.matching_type} ${d.certificate.toLowerCase()}` };
  }

  private validate(record: FakeCfRecord, all: Map<string, FakeCfRecord>): void {
    if (record.name !== this.zoneName && !record.name.endsWith(`.${this.zoneName}`)) throw new CfError(9005, `Content for ${record.type} record is invalid. Name ${record.name} is outside the zone`);
    if (!(record.ttl === 1 || (record.ttl >= 60 && record.ttl <= 86400))) throw new CfError(9021, 'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.');
    if ((record.comment ?? '').length > 100) throw new CfError(9102, 'DNS record comment is too long (at most 100 characters)');
    if (record.type === 'A' && !isIPv4(record.content)) throw new CfError(9005, 'Content for A record must be a valid IPv4 address.');
    if (record.type === 'AAAA' && !isIPv6(record.content)) throw new CfError(9005, 'Content for AAAA record must be a valid IPv6 address.');
    if (record.type === 'MX' && (record.priority === undefined || !record.content)) throw new CfError(9101, 'MX records need a priority and a mail server name');
    const others = [...all.values()].filter((r) => r.id !== record.id && r.name === record.name);
    if (others.some((r) => r.type === record.type && r.content === record.content && (r.priority ?? 0) === (record.priority ?? 0))) {
      throw new CfError(81058, 'An identical record already exists.');
    }
    if ((record.type === 'CNAME' && others.length > 0) || others.some((r) => r.type === 'CNAME')) throw new CfError(81053, 'An A, AAAA, or CNAME record with that host already exists.');
  }

  /** The whole batch on a copy, in Cloudflare's order; the zone changes only if all of it succeeds. */
  private applyBatch(body: { deletes?: Body[]; patches?: Body[]; puts?: Body[]; posts?: Body[] }): object {
    const next = new Map(this.records);
    const result = { deletes: [] as FakeCfRecord[], patches: [] as FakeCfRecord[], puts: [] as FakeCfRecord[], posts: [] as FakeCfRecord[] };
    const existing = (id: string | undefined) => {
      const record = id === undefined ? undefined : next.get(id);
      if (!record) throw new CfError(81044, `Record ${id ?? '(no id)'} does not exist.`);
      return record;
    };
    for (const op of body.deletes ?? []) {
      result.deletes.push(existing(op.id));
      next.delete(op.id as string);
    }
    for (const op of body.patches ?? []) {
      const merged = this.withTlsaContent({ ...existing(op.id), ...op } as FakeCfRecord);
      this.validate(merged, next);
      next.set(merged.id, merged);
      result.patches.push(merged);
    }
    for (const op of body.puts ?? []) {
      existing(op.id);
      const replaced = this.withTlsaContent({ proxied: false, comment: null, ...op } as FakeCfRecord);
      this.validate(replaced, next);
      next.set(replaced.id, replaced);
      result.puts.push(replaced);
    }
    for (const op of body.posts ?? []) {
      if (!op.name || !op.type || (op.content === undefined && op.data === undefined) || op.ttl === undefined) throw new CfError(9000, 'DNS name, type, content and ttl are required');
      const created = this.withTlsaContent({ proxied: false, comment: null, ...op, id: this.newId() } as FakeCfRecord);
      this.validate(created, next);
      next.set(created.id, created);
      result.posts.push(created);
    }
    this.records.clear();
    for (const [id, record] of next) this.records.set(id, record);
    this.batches.push({ deletes: result.deletes.length, patches: result.patches.length, puts: result.puts.length, posts: result.posts.length });
    return result;
  }
}
