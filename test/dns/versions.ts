// A chain of versions of the fixture zone, each differing from the one before in the way its label
// says (health, weights, TTLs, values, names, CNAMEs, delegations): for the tests of what a new
// version reuses from the one before (incremental compile, journal differences).
import { desired } from '../../src/desired.ts';
import type { DesiredZone, RecordSet } from '../../src/model.ts';
import { health } from '../desired/fixtures.ts';
import { dnsConfig } from './helpers.ts';

const cfg = dnsConfig('127.16.0.1:5300');

function version(serial: number, states: Record<string, 'healthy' | 'unhealthy'>, edit: (sets: RecordSet[]) => RecordSet[] = (sets) => sets): DesiredZone {
  const zone = desired(cfg, health(cfg, states), { serial, now: 0 });
  return { ...zone, sets: edit(zone.sets) };
}

const replace = (name: string, type: string, change: (set: RecordSet) => RecordSet | undefined) => (sets: RecordSet[]) =>
  sets.flatMap((set) => (set.name === name && set.type === type ? [change(set)].filter((s): s is RecordSet => s !== undefined) : [set]));

/** A chain of versions; each differs from the one before in the way its label says. */
export const chain: [string, DesiredZone][] = [
  ['all healthy', version(1, {})],
  ['mx2 down', version(2, { 'mx2.example.com': 'unhealthy' })],
  ['mx2 back, relay1 down', version(3, { 'relay1.example.com': 'unhealthy' })],
  ['the same records again, a new serial', version(4, { 'relay1.example.com': 'unhealthy' })],
  ['a weight changed', version(5, {}, replace('mx.example.com', 'A', (set) => ({ ...set, values: set.values.map((v, i) => (i === 0 ? { ...v, weight: 7 } : v)) })))],
  ['a TTL changed', version(6, {}, replace('mx.example.com', 'A', (set) => ({ ...set, ttl: 31 })))],
  ['values reordered', version(7, {}, replace('example.com', 'MX', (set) => ({ ...set, values: [...set.values].reverse() })))],
  ['a value replaced in place', version(8, {}, replace('ns1.example.com', 'A', (set) => ({ ...set, values: [{ data: { type: 'A', address: '192.0.2.54' } }] })))],
  ['a name removed (CNAME), a delegation removed', version(9, {}, (sets) => replace('www.example.com', 'CNAME', () => undefined)(replace('sub.example.com', 'NS', () => undefined)(sets)))],
  ['names added: a new empty non-terminal, a CNAME, a delegation', version(10, {}, (sets) => [
    ...sets,
    { name: 'x.new.example.com', type: 'A', ttl: 30, values: [{ data: { type: 'A', address: '192.0.2.77' }, weight: 1 }, { data: { type: 'A', address: '192.0.2.78' }, weight: 2 }], source: 'static' },
    { name: 'www.example.com', type: 'CNAME', ttl: 60, values: [{ data: { type: 'CNAME', target: 'mx.example.com' } }], source: 'static' },
    { name: 'deleg.example.com', type: 'NS', ttl: 60, values: [{ data: { type: 'NS', target: 'ns.deleg.example.com' } }], source: 'static' },
  ])],
  ['every host down but one (whenAllDown)', version(11, { 'mx1.example.com': 'unhealthy', 'mx2.example.com': 'unhealthy', 'relay1.example.com': 'unhealthy', 'relay2.example.com': 'unhealthy' })],
  ['back to all healthy', version(12, {})],
];

