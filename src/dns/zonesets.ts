// Assembles record sets from several sources into one consistent zone: one set per (name, type),
// duplicates removed, static records never overriding what mxpool manages, CNAME rules (RFC 1034
// 3.6.2: a CNAME owner has no other data) enforced — each conflict becomes a note, never a crash.
import { RECORD_TYPES, recordKey, type RecordSet, type RecordValue } from '../model.ts';
import { formatRData } from './rdata.ts';

const TYPE_ORDER = RECORD_TYPES;

const KIND = { 'v=spf1': 'SPF', 'v=dmarc1': 'DMARC', 'v=dkim1': 'DKIM' } as const;

export class ZoneSets {
  readonly #sets = new Map<string, RecordSet>();
  readonly #notes: string[];

  constructor(notes: string[]) {
    this.#notes = notes;
  }

  /** Adds a managed set (zone, pool, host, auth): merged with a managed set of the same name and type. */
  addManaged(set: RecordSet): void {
    const existing = this.#sets.get(recordKey(set));
    if (!existing) {
      this.#sets.set(recordKey(set), { ...set, values: dedupe(set.values) });
      return;
    }
    const merged: RecordSet = { ...existing, ttl: Math.min(existing.ttl, set.ttl), values: dedupe([...existing.values, ...set.values]) };
    if (existing.pool !== set.pool) delete merged.pool;
    this.#sets.set(recordKey(set), merged);
  }

  /** Adds a static set from `records:`; `origin` names the config entry for notes. */
  addStatic(set: RecordSet, origin: string): void {
    const key = recordKey(set);
    const existing = this.#sets.get(key);
    if (!existing) {
      this.#sets.set(key, { ...set, values: dedupe(set.values) });
      return;
    }
    if (existing.source === 'static') {
      this.#sets.set(key, { ...existing, ttl: Math.min(existing.ttl, set.ttl), values: dedupe([...existing.values, ...set.values]) });
      return;
    }
    if (set.type === 'TXT') {
      // Extra TXT at a managed name (site verification at the apex) is fine; a second SPF or DMARC is not.
      const kept = set.values.filter((value) => {
        const text = value.data.type === 'TXT' ? value.data.strings.join('').toLowerCase() : '';
        const clash = (['v=spf1', 'v=dmarc1', 'v=dkim1'] as const).find((tag) => text.startsWith(tag) && existing.values.some((v) => v.data.type === 'TXT' && v.data.strings.join('').toLowerCase().startsWith(tag)));
        if (clash) this.#notes.push(`${origin}: a second ${KIND[clash]} TXT at ${set.name} ignored (mxpool publishes that record)`);
        return !clash;
      });
      this.#sets.set(key, { ...existing, values: dedupe([...existing.values, ...kept]) });
      return;
    }
    this.#notes.push(`${origin}: ${set.name} ${set.type} ignored: mxpool manages that name and type (${existing.source} record)`);
  }

  /** The final sets, CNAME conflicts removed, in master-file order (SOA, NS, then by name and type). */
  result(zone: string): RecordSet[] {
    const byName = new Map<string, RecordSet[]>();
    for (const set of this.#sets.values()) byName.set(set.name, [...(byName.get(set.name) ?? []), set]);
    for (const [name, sets] of byName) {
      const cname = sets.find((s) => s.type === 'CNAME');
      if (!cname) continue;
      const why = name === zone ? 'the zone apex holds SOA and NS' : `${name} has other records (${sets.filter((s) => s.type !== 'CNAME').map((s) => s.type).join(', ')})`;
      if (name === zone || sets.length > 1) {
        this.#sets.delete(recordKey(cname));
        this.#notes.push(`CNAME at ${name} ignored: ${why}; a CNAME owner can have no other data (RFC 1034 3.6.2)`);
      } else if (cname.values.length > 1) {
        this.#sets.set(recordKey(cname), { ...cname, values: cname.values.slice(0, 1) });
        this.#notes.push(`CNAME at ${name}: only the first of ${cname.values.length} values kept (a name has one CNAME)`);
      }
    }
    // one sort key per set, not two splits per comparison: a 10,000-host zone is sorted on every publish
    const keyed = [...this.#sets.values()].map((set) => ({ set, apex: set.name === zone, name: canonicalKey(set.name), type: TYPE_ORDER.indexOf(set.type) }));
    keyed.sort((a, b) => Number(b.apex) - Number(a.apex) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.type - b.type);
    return keyed.map((entry) => entry.set);
  }
}

function dedupe(values: RecordValue[]): RecordValue[] {
  if (values.length < 2) return values.slice(); // nothing to compare (10,000 tenants: a DKIM key each)
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = `${value.data.type} ${formatRData(value.data)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * RFC 4034 6.1 canonical order as a string key: labels from the right, joined by NUL, which sorts
 * before every character a label can hold — so a label that is a prefix of another sorts first, and
 * a name sorts before the names below it.
 */
function canonicalKey(name: string): string {
  return name.split('.').reverse().join('\u0000');
}

/** RFC 4034 6.1 canonical order: compare labels from the right. */
export function canonicalOrder(a: string, b: string): number {
  const left = canonicalKey(a);
  const right = canonicalKey(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
