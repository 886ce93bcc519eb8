// Record data in master-file presentation form, for humans reading /api/state and the status page.
import type { RData, RecordSet } from '../model.ts';
import type { ApiRecordSet } from './types.ts';

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);

function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function presentRData(data: RData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return fqdn(data.target);
    case 'MX':
      return `${data.preference} ${fqdn(data.exchange)}`;
    case 'TXT':
      return data.strings.map(quoted).join(' ');
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${fqdn(data.target)}`;
    case 'CAA':
      return `${data.flags} ${data.tag} ${quoted(data.value)}`;
    case 'SOA':
      return `${fqdn(data.mname)} ${fqdn(data.rname)} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
  }
}

export function presentSet(set: RecordSet): ApiRecordSet {
  return {
    name: set.name,
    type: set.type,
    ttl: set.ttl,
    values: set.values.map((value) => presentRData(value.data)),
    source: set.source,
    pool: set.pool ?? null,
  };
}
