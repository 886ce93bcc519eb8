// Comparing and showing record values. Two values are the same record when their data (and weight,
// where the target keeps weights) match; the host label is bookkeeping and never forces a write.
import type { RData, RecordSet, RecordValue } from '../model.ts';
import { tlsaText } from '../dns/rdata.ts';

function quoteTxt(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Presentation text of one RData (master-file style, names with the trailing dot). */
export function rdataText(data: RData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return `${data.target}.`;
    case 'MX':
      return `${data.preference} ${data.exchange}.`;
    case 'TXT':
      return data.strings.map(quoteTxt).join(' ');
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${data.target}.`;
    case 'CAA':
      return `${data.flags} ${data.tag} ${quoteTxt(data.value)}`;
    case 'TLSA':
      return tlsaText(data);
    case 'SOA':
      return `${data.mname}. ${data.rname}. ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
  }
}

/** Identity of a value for diffing. TXT compares the joined text: how it is split is a transport detail. */
export function valueKey(value: RecordValue): string {
  const data = value.data;
  const text = data.type === 'TXT' ? data.strings.join('') : rdataText(data).toLowerCase();
  return value.weight === undefined ? text : `${text} w=${value.weight}`;
}

export function sameValues(a: readonly RecordValue[], b: readonly RecordValue[]): boolean {
  if (a.length !== b.length) return false;
  const left = a.map(valueKey).sort();
  const right = b.map(valueKey).sort();
  return left.every((key, i) => key === right[i]);
}

export function sameSet(a: RecordSet, b: RecordSet): boolean {
  return a.ttl === b.ttl && sameValues(a.values, b.values);
}

/** Values of `before` whose key is not in `after`: the records a change removes. */
export function removedValues(before: readonly RecordValue[], after: readonly RecordValue[]): RecordValue[] {
  const kept = new Set(after.map(valueKey));
  return before.filter((value) => !kept.has(valueKey(value)));
}

export function addedValues(before: readonly RecordValue[], after: readonly RecordValue[]): RecordValue[] {
  return removedValues(after, before);
}

/** A value as the plan prints it: data, then weight and host when present. */
export function valueText(value: RecordValue): string {
  const extras = [value.weight === undefined ? '' : `weight ${value.weight}`, value.host ? `host ${value.host}` : ''].filter(Boolean);
  return extras.length > 0 ? `${rdataText(value.data)} (${extras.join(', ')})` : rdataText(value.data);
}
