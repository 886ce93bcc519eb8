// Fits the desired record sets to one target: keeps only what a cloud zone gets from mxpool, and
// adapts to the target's capabilities with a warning instead of failing silently (DESIGN.md rule 2).
import type { RecordSet, RecordSource, RecordValue } from '../model.ts';
import type { Capabilities } from './types.ts';

/** Sources a cloud zone takes from mxpool. SOA/NS ('zone') and 'static' records belong to the zone's owner. */
export const SYNCED_SOURCES: ReadonlySet<RecordSource> = new Set(['pool', 'host', 'auth']);

export interface Adapted {
  sets: RecordSet[];
  warnings: string[];
}

function splitString(text: string, max: number): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return [text];
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += max) parts.push(bytes.subarray(at, at + max).toString('utf8'));
  return parts;
}

function fitValue(value: RecordValue, set: RecordSet, capabilities: Capabilities): RecordValue {
  let data = value.data;
  if (data.type === 'TXT' && data.strings.some((s) => Buffer.byteLength(s, 'utf8') > capabilities.txtStringMax)) {
    data = { type: 'TXT', strings: data.strings.flatMap((s) => splitString(s, capabilities.txtStringMax)) };
  }
  // Weights only mean something on address records of a target that has weighted answers.
  const weighted = capabilities.weights && (set.type === 'A' || set.type === 'AAAA') && value.weight !== undefined;
  const fitted: RecordValue = { data };
  if (weighted) fitted.weight = value.weight;
  if (value.host !== undefined) fitted.host = value.host;
  return fitted;
}

/** Without weights, a weight-0 host is a standby: it gets traffic only when every host is at 0. */
function dropStandbys(values: RecordValue[], original: readonly RecordValue[]): RecordValue[] {
  const live = values.filter((_, i) => (original[i]?.weight ?? 1) > 0);
  return live.length > 0 ? live : values;
}

export function adaptToTarget(provider: string, desired: readonly RecordSet[], capabilities: Capabilities): Adapted {
  const sets: RecordSet[] = [];
  const unweighted: string[] = [];
  const raisedTtl = new Map<number, number>();
  const unsupported: string[] = [];
  for (const set of desired) {
    if (!SYNCED_SOURCES.has(set.source)) continue;
    if (capabilities.recordTypes && !capabilities.recordTypes.has(set.type)) {
      unsupported.push(`${set.name}/${set.type}`);
      continue;
    }
    let values = set.values.map((value) => fitValue(value, set, capabilities));
    const hadWeights = (set.type === 'A' || set.type === 'AAAA') && set.values.some((value) => value.weight !== undefined);
    if (hadWeights && !capabilities.weights) {
      unweighted.push(`${set.name}/${set.type}`);
      values = dropStandbys(values, set.values);
    }
    let ttl = set.ttl;
    if (ttl < capabilities.minTtl) {
      raisedTtl.set(ttl, (raisedTtl.get(ttl) ?? 0) + 1);
      ttl = capabilities.minTtl;
    }
    const adapted: RecordSet = { name: set.name, type: set.type, ttl, values, source: set.source };
    if (set.pool !== undefined) adapted.pool = set.pool;
    sets.push(adapted);
  }
  const warnings: string[] = [];
  if (unsupported.length > 0) warnings.push(`${provider} cannot hold these record types: not synced (${unsupported.join(', ')})`);
  if (unweighted.length > 0) {
    warnings.push(`${provider} has no weighted records: weights ignored, one record per healthy host (${unweighted.join(', ')})`);
  }
  for (const [ttl, count] of raisedTtl) {
    warnings.push(`${provider} accepts no TTL below ${capabilities.minTtl}s: TTL ${ttl}s raised to ${capabilities.minTtl}s on ${count} record set(s)`);
  }
  return { sets, warnings };
}
