// Cloudflare as an mxpool target: no weights (one record per healthy host), TTL floor 60, ownership
// in each record's comment, and each plan applied through the batch endpoint as one transaction.
import { recordKey, type Change, type RecordSet, type RecordValue } from '../../src/model.ts';
import { valueKey, type Capabilities, type CurrentSet } from '../../src/plan/index.ts';
import type { ApplyResult, Provider } from '../provider.ts';
import type { CfBatch, CfRecord, CloudflareApi } from './client.ts';
import { CLOUDFLARE_TYPES, ownershipComment, parseRecord, readOwnership, toFields } from './values.ts';

/** batchSize: operations per batch call we send (Cloudflare's own limit depends on the plan). */
export const CLOUDFLARE_CAPABILITIES: Capabilities = { weights: false, txtStringMax: 255, batchSize: 200, minTtl: 60, valuesCoexist: true, recordTypes: CLOUDFLARE_TYPES };

export interface CloudflareProviderOptions {
  api: CloudflareApi;
  ownerId: string;
  batchSize?: number;
}

interface SeenRecord {
  record: CfRecord;
  value: RecordValue;
}

function emptyBatch(): CfBatch {
  return { deletes: [], patches: [], posts: [] };
}

function batchLength(batch: CfBatch): number {
  return batch.deletes.length + batch.patches.length + batch.posts.length;
}

export class CloudflareProvider implements Provider {
  readonly name = 'cloudflare';
  readonly capabilities: Capabilities;
  private readonly options: CloudflareProviderOptions;
  /** mxpool's own records from the last records(), by name/TYPE: their ids for deletes and patches */
  private owned = new Map<string, SeenRecord[]>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: CloudflareProviderOptions) {
    this.options = options;
    this.capabilities = { ...CLOUDFLARE_CAPABILITIES, batchSize: options.batchSize ?? CLOUDFLARE_CAPABILITIES.batchSize };
  }

  async records(): Promise<CurrentSet[]> {
    const records = await this.options.api.listAll();
    const groups = new Map<string, CurrentSet>();
    const owned = new Map<string, SeenRecord[]>();
    for (const record of records) {
      if (!CLOUDFLARE_TYPES.has(record.type)) continue;
      const data = parseRecord(record);
      if (!data) continue;
      const mark = readOwnership(record.comment);
      const value: RecordValue = mark?.host ? { data, host: mark.host } : { data };
      // one set per name, type and owner: a hand-made TXT can sit next to mxpool's SPF
      const groupKey = `${record.name}/${record.type}/${mark?.owner ?? ''}`;
      let set = groups.get(groupKey);
      if (!set) {
        set = { name: record.name, type: record.type as RecordSet['type'], ttl: record.ttl, values: [], source: 'pool' };
        if (mark) set.owner = mark.owner;
        groups.set(groupKey, set);
      }
      set.values.push(value);
      // records of one set that disagree on TTL report TTL 0, so the plan evens them out
      if (record.ttl !== set.ttl) set.ttl = 0;
      if (mark?.owner === this.options.ownerId) {
        const key = `${record.name}/${record.type}`;
        owned.set(key, [...(owned.get(key) ?? []), { record, value }]);
      }
    }
    this.owned = owned;
    return [...groups.values()];
  }

  private post(batch: CfBatch, set: RecordSet, value: RecordValue): void {
    batch.posts.push({ ...toFields(set.name, set.ttl, value.data), comment: ownershipComment(this.options.ownerId, value.host) });
  }

  private addChange(batch: CfBatch, change: Change): void {
    if (change.kind === 'create') {
      for (const value of change.after.values) this.post(batch, change.after, value);
      return;
    }
    const seen = this.owned.get(recordKey(change.before)) ?? [];
    if (change.kind === 'delete') {
      for (const { record } of seen) batch.deletes.push({ id: record.id });
      return;
    }
    const { after } = change;
    const seenByKey = new Map(seen.map((s) => [valueKey(s.value), s]));
    const wanted = new Set<string>();
    for (const value of after.values) {
      const key = valueKey(value);
      wanted.add(key);
      const existing = seenByKey.get(key);
      if (!existing) {
        this.post(batch, after, value);
        continue;
      }
      const comment = ownershipComment(this.options.ownerId, value.host);
      if (existing.record.ttl !== after.ttl || existing.record.comment !== comment) batch.patches.push({ id: existing.record.id, ttl: after.ttl, comment });
      else if (value.data.type === 'TXT' && toFields(after.name, after.ttl, value.data).content !== existing.record.content) {
        batch.patches.push({ id: existing.record.id, content: toFields(after.name, after.ttl, value.data).content });
      }
    }
    for (const [key, { record }] of seenByKey) if (!wanted.has(key)) batch.deletes.push({ id: record.id });
  }

  apply(changes: readonly Change[]): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(changes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(changes: readonly Change[]): Promise<ApplyResult> {
    // Each planned change stays within one batch; a new batch starts only past the size limit.
    const batches: CfBatch[] = [];
    let batch = emptyBatch();
    for (const change of changes) {
      const part = emptyBatch();
      this.addChange(part, change);
      if (batchLength(batch) > 0 && batchLength(batch) + batchLength(part) > this.capabilities.batchSize) {
        batches.push(batch);
        batch = emptyBatch();
      }
      batch.deletes.push(...part.deletes);
      batch.patches.push(...part.patches);
      batch.posts.push(...part.posts);
    }
    if (batchLength(batch) > 0) batches.push(batch);
    for (const each of batches) await this.options.api.batch(each);
    return { writes: batches.length };
  }
}
