// Route 53 as an mxpool target: weighted record sets for pool names (SetIdentifier = host,
// Weight = weight), plain MX/TXT/host sets, ownership by registry TXT records, and each plan
// applied as one atomic ChangeResourceRecordSets call (split only past the 1,000-change limit).
import { recordKey, type Change, type RecordSet, type RecordValue } from '../../src/model.ts';
import type { Capabilities, CurrentSet } from '../../src/plan/index.ts';
import type { ApplyResult, Provider } from '../provider.ts';
import type { Route53Api, Rrset, RrsetChange } from './client.ts';
import { readRegistry, registryRrset } from './registry.ts';
import { ROUTE53_TYPES, formatValue, fromFqdn, parseValue, toFqdn } from './values.ts';

export const ROUTE53_CAPABILITIES: Capabilities = { weights: true, txtStringMax: 255, batchSize: 1000, minTtl: 0, valuesCoexist: false, recordTypes: ROUTE53_TYPES };

export interface Route53ProviderOptions {
  api: Route53Api;
  ownerId: string;
  waitForSync: boolean;
  batchSize?: number;
}

function isWeighted(set: RecordSet): boolean {
  return set.values.some((value) => value.weight !== undefined);
}

/** One mxpool record set -> Route 53 rrsets: one per host when weighted, else one with every value. */
export function toRrsets(set: RecordSet): Rrset[] {
  const name = toFqdn(set.name);
  if (!isWeighted(set)) return [{ name, type: set.type, ttl: set.ttl, values: set.values.map((v) => formatValue(v.data)) }];
  return set.values.map((value) => ({
    name,
    type: set.type,
    setIdentifier: value.host ?? formatValue(value.data),
    weight: value.weight ?? 1,
    ttl: set.ttl,
    values: [formatValue(value.data)],
  }));
}

/** Route 53's per-request limits: 1,000 changes, 1,000 values and 32,000 value characters (UPSERT counts twice). */
const MAX_RECORDS = 1000;
const MAX_CHARS = 32_000;

function groupCost(group: readonly RrsetChange[]): { changes: number; records: number; chars: number } {
  let records = 0;
  let chars = 0;
  for (const entry of group) {
    const factor = entry.action === 'UPSERT' ? 2 : 1;
    records += entry.set.values.length * factor;
    chars += entry.set.values.reduce((sum, v) => sum + v.length, 0) * factor;
  }
  return { changes: group.length, records, chars };
}

function sameRrset(a: Rrset, b: Rrset): boolean {
  return a.ttl === b.ttl && a.weight === b.weight && [...a.values].sort().join('\n') === [...b.values].sort().join('\n');
}

export class Route53Provider implements Provider {
  readonly name = 'route53';
  readonly capabilities: Capabilities;
  private readonly options: Route53ProviderOptions;
  /** what the last records() saw, by name/TYPE: the exact values a DELETE must carry */
  private seen = new Map<string, Rrset[]>();
  private registry = new Map<string, Rrset>();
  /** changes to one zone go in series */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: Route53ProviderOptions) {
    this.options = options;
    this.capabilities = { ...ROUTE53_CAPABILITIES, batchSize: options.batchSize ?? ROUTE53_CAPABILITIES.batchSize };
  }

  async records(): Promise<CurrentSet[]> {
    const all = await this.options.api.listAll();
    const owners = new Map<string, string>();
    const registry = new Map<string, Rrset>();
    const byKey = new Map<string, Rrset[]>();
    for (const rrset of all) {
      const entry = readRegistry(rrset);
      if (entry) {
        owners.set(entry.key, entry.owner);
        registry.set(entry.key, rrset);
        continue;
      }
      const key = `${fromFqdn(rrset.name)}/${rrset.type}`;
      byKey.set(key, [...(byKey.get(key) ?? []), rrset]);
    }
    this.seen = byKey;
    this.registry = registry;
    const sets: CurrentSet[] = [];
    for (const [key, rrsets] of byKey) {
      const first = rrsets[0] as Rrset;
      if (!ROUTE53_TYPES.has(first.type)) continue; // SOA, alias-only and exotic types: never mxpool's
      const values: RecordValue[] = [];
      for (const rrset of rrsets) {
        for (const text of rrset.values) {
          const data = parseValue(rrset.type, text);
          if (!data) continue;
          const value: RecordValue = { data };
          if (rrset.setIdentifier !== undefined) {
            value.weight = rrset.weight ?? 0;
            value.host = rrset.setIdentifier;
          }
          values.push(value);
        }
      }
      // weighted rrsets of one name that disagree on TTL report TTL 0, so the plan evens them out
      const ttl = rrsets.every((r) => r.ttl === first.ttl) ? first.ttl : 0;
      const set: CurrentSet = { name: fromFqdn(first.name), type: first.type as RecordSet['type'], ttl, values, source: 'pool' };
      const owner = owners.get(key);
      if (owner !== undefined) set.owner = owner;
      sets.push(set);
    }
    return sets;
  }

  /** Route 53 change entries for one planned change, kept together so a split never breaks one up. */
  private entriesFor(change: Change): RrsetChange[] {
    const ownerId = this.options.ownerId;
    if (change.kind === 'create') {
      const registry = registryRrset(change.after.name, change.after.type, ownerId);
      // a registry record left behind (its set deleted by hand) is overwritten, else created
      const registryAction = this.registry.has(recordKey(change.after)) ? 'UPSERT' : 'CREATE';
      return [...toRrsets(change.after).map((set) => ({ action: 'CREATE' as const, set })), { action: registryAction, set: registry }];
    }
    const key = recordKey(change.before);
    const current = this.seen.get(key) ?? [];
    if (change.kind === 'delete') {
      const entries: RrsetChange[] = current.map((set) => ({ action: 'DELETE', set }));
      const registry = this.registry.get(key);
      if (registry) entries.push({ action: 'DELETE', set: registry });
      return entries;
    }
    const wanted = toRrsets(change.after);
    const weightedNow = current.some((set) => set.setIdentifier !== undefined);
    const weightedNext = wanted.some((set) => set.setIdentifier !== undefined);
    if (weightedNow !== weightedNext) {
      // Route 53 never mixes weighted and plain sets of one name/type: replace them in one batch.
      return [...current.map((set) => ({ action: 'DELETE' as const, set })), ...wanted.map((set) => ({ action: 'CREATE' as const, set }))];
    }
    const currentById = new Map(current.map((set) => [set.setIdentifier ?? '', set]));
    const wantedIds = new Set(wanted.map((set) => set.setIdentifier ?? ''));
    const entries: RrsetChange[] = [];
    for (const [id, set] of currentById) if (!wantedIds.has(id)) entries.push({ action: 'DELETE', set });
    for (const set of wanted) {
      const before = currentById.get(set.setIdentifier ?? '');
      if (!before || !sameRrset(before, set)) entries.push({ action: 'UPSERT', set });
    }
    return entries;
  }

  apply(changes: readonly Change[]): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(changes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(changes: readonly Change[]): Promise<ApplyResult> {
    const groups = changes.map((change) => this.entriesFor(change)).filter((group) => group.length > 0);
    const batches: RrsetChange[][] = [];
    let batch: RrsetChange[] = [];
    let used = { changes: 0, records: 0, chars: 0 };
    for (const group of groups) {
      const cost = groupCost(group);
      const fits = used.changes + cost.changes <= this.capabilities.batchSize && used.records + cost.records <= MAX_RECORDS && used.chars + cost.chars <= MAX_CHARS;
      if (batch.length > 0 && !fits) {
        batches.push(batch);
        batch = [];
        used = { changes: 0, records: 0, chars: 0 };
      }
      batch.push(...group);
      used = { changes: used.changes + cost.changes, records: used.records + cost.records, chars: used.chars + cost.chars };
    }
    if (batch.length > 0) batches.push(batch);
    let writes = 0;
    for (const [i, entries] of batches.entries()) {
      const id = await this.options.api.change(entries, `mxpool ${this.options.ownerId}: ${changes.length} change(s), batch ${i + 1}/${batches.length}`);
      writes++;
      if (this.options.waitForSync) await this.options.api.waitInsync(id);
    }
    return { writes };
  }
}
