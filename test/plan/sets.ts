// Hand-built record sets for planner tests (the shapes desired() produces).
import type { RecordSet } from '../../src/model.ts';
import type { Capabilities, CurrentSet } from '../../src/plan/index.ts';

export const ROUTE53_CAPS: Capabilities = { weights: true, txtStringMax: 255, batchSize: 1000, minTtl: 1, valuesCoexist: false };
export const CLOUDFLARE_CAPS: Capabilities = { weights: false, txtStringMax: 255, batchSize: 200, minTtl: 60, valuesCoexist: true };

export function poolA(name: string, hosts: Array<[host: string, address: string, weight?: number]>, ttl = 30): RecordSet {
  return { name, type: 'A', ttl, source: 'pool', pool: 'outbound', values: hosts.map(([host, address, weight]) => ({ data: { type: 'A', address }, weight: weight ?? 1, host })) };
}

export function mx(name: string, exchanges: string[], ttl = 30): RecordSet {
  return { name, type: 'MX', ttl, source: 'pool', pool: 'inbound', values: exchanges.map((exchange) => ({ data: { type: 'MX', preference: 10, exchange }, weight: 1, host: exchange })) };
}

export function hostA(name: string, address: string, ttl = 30): RecordSet {
  return { name, type: 'A', ttl, source: 'host', values: [{ data: { type: 'A', address }, host: name }] };
}

export function txt(name: string, text: string, source: RecordSet['source'] = 'auth', ttl = 30): RecordSet {
  return { name, type: 'TXT', ttl, source, values: [{ data: { type: 'TXT', strings: [text] } }] };
}

export function owned<T extends RecordSet>(set: T, owner = 'mxpool'): CurrentSet {
  return { ...set, owner };
}
