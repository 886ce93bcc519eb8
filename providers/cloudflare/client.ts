// The only file that imports the Cloudflare SDK (v7): paged listing of a zone's DNS records and
// the batch endpoint (one transaction: deletes -> patches -> puts -> posts). We retry ourselves:
// 429 after the server's Retry-After (reads also on 5xx); a failed write is never repeated blindly.
import Cloudflare from 'cloudflare';
import type { Logger } from '../../src/log.ts';
import type { ApiCounter, Sleep } from '../provider.ts';
import { fullJitter, withRetries, type RetryOptions } from '../retry.ts';

export interface CfRecord {
  id: string;
  name: string;
  type: string;
  /** read-only for TLSA (Cloudflare formats it from `data`) */
  content: string;
  ttl: number;
  priority?: number;
  comment?: string;
  /** the structured value of types such as TLSA, which are written through `data`, not `content` */
  data?: CfTlsaData;
}

export interface CfTlsaData {
  usage: number;
  selector: number;
  matching_type: number;
  certificate: string;
}

export type CfRecordFields = Omit<CfRecord, 'id'>;

export interface CfBatch {
  deletes: Array<{ id: string }>;
  patches: Array<{ id: string } & Partial<CfRecordFields>>;
  posts: CfRecordFields[];
}

export interface CloudflareApi {
  listAll(): Promise<CfRecord[]>;
  batch(batch: CfBatch): Promise<void>;
}

export interface CloudflareClientOptions {
  zoneId: string;
  token: string;
  baseUrl?: string;
  logger: Logger;
  sleep: Sleep;
  random: () => number;
  counter?: ApiCounter;
  perPage?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
}

interface SdkError {
  status?: number;
  message?: string;
  headers?: { get(name: string): string | null };
  errors?: Array<{ code?: number; message?: string }>;
}

const MAX_DELAY_MS = 60_000;

export function createCloudflareClient(options: CloudflareClientOptions): CloudflareApi {
  const baseURL = options.baseUrl ?? process.env['CLOUDFLARE_BASE_URL'];
  const sdk = new Cloudflare({ apiToken: options.token, maxRetries: 0, ...(baseURL ? { baseURL } : {}) });
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelay = options.baseDelayMs ?? 500;
  const perPage = options.perPage ?? 1000;

  /** How long the server asked us to wait, or exponential backoff with full jitter. */
  function delayFor(error: SdkError, attempt: number): number {
    const header = error.headers?.get('retry-after');
    const seconds = header === null || header === undefined ? NaN : Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_DELAY_MS);
    const dated = header ? Date.parse(header) - Date.now() : NaN;
    if (Number.isFinite(dated)) return Math.min(Math.max(0, dated), MAX_DELAY_MS);
    return fullJitter(options.random, baseDelay, MAX_DELAY_MS, attempt);
  }

  const retries: RetryOptions = {
    provider: 'cloudflare',
    logger: options.logger,
    sleep: options.sleep,
    counter: options.counter,
    maxAttempts,
    retrying: 'cloudflare: retrying after a rate limit or failed read',
    judge(raw, retryServerErrors) {
      const error = raw as SdkError;
      const status = error.status;
      const detail = error.errors?.length ? error.errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ') : (error.message ?? String(raw));
      return {
        retryable: status === 429 || (retryServerErrors && (status === undefined || status >= 500)),
        unreachable: status === undefined,
        detail: `${status ? ` (HTTP ${status})` : ''}: ${detail}`,
        delayMs: (attempt) => delayFor(error, attempt),
        fields: { status },
      };
    },
  };
  const call = <T>(operation: string, send: () => Promise<T>, retryServerErrors: boolean) => withRetries(retries, operation, send, retryServerErrors);

  return {
    async listAll() {
      const all: CfRecord[] = [];
      for (let page = 1; ; page++) {
        const answer = await call('list', () => sdk.dns.records.list({ zone_id: options.zoneId, page, per_page: perPage }), true);
        for (const record of answer.result) {
          const r = record as unknown as CfRecord & { comment?: string | null; priority?: number | null };
          const row: CfRecord = { id: r.id, name: r.name.toLowerCase(), type: r.type, content: r.content ?? '', ttl: r.ttl };
          if (typeof r.priority === 'number') row.priority = r.priority;
          if (typeof r.comment === 'string' && r.comment !== '') row.comment = r.comment;
          if (r.type === 'TLSA' && r.data && typeof r.data === 'object') row.data = r.data;
          all.push(row);
        }
        // result_info says how many pages there are: no extra empty-page request at the end
        const info = (answer as unknown as { result_info?: { total_pages?: number } }).result_info;
        if (answer.result.length === 0 || page >= (info?.total_pages ?? page)) return all;
      }
    },

    async batch(batch) {
      const params = { zone_id: options.zoneId, deletes: batch.deletes, patches: batch.patches, posts: batch.posts } as unknown as Parameters<typeof sdk.dns.records.batch>[0];
      await call('batch', () => sdk.dns.records.batch(params), false);
    },
  };
}
