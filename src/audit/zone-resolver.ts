// A resolver over record sets: the desired zone (`audit --config`) or a parsed master file
// (`spf --zone`). Names inside the zone are answered from the sets, following CNAMEs inside the
// zone; names outside go to `outside` (the live resolver when a nameserver was given) or are
// reported unresolvable — never guessed. A zone at the root ('') holds every name: one it does not
// list does not exist (NXDOMAIN).
import type { RecordSet } from '../model.ts';
import { parseAddress } from '../auth/ip.ts';
import { inZone as within } from '../dns/name.ts';
import { normaliseName, reverseName, type Answer, type MxRecord, type Resolver, type TlsaRecord } from './resolver.ts';

const MAX_CNAME_HOPS = 8;

export function zoneResolver(zone: string, sets: readonly RecordSet[], outside?: Resolver): Resolver {
  const origin = normaliseName(zone);
  const byName = new Map<string, RecordSet[]>();
  for (const set of sets) {
    const name = normaliseName(set.name);
    byName.set(name, [...(byName.get(name) ?? []), set]);
  }
  const inZone = (name: string) => within(name, origin);
  const unresolvable = (name: string): Answer<never> => ({
    status: 'unresolvable',
    reason: `${name} is outside zone ${origin} and no nameserver was given (--nameserver)`,
  });

  function lookup<T>(rawName: string, type: RecordSet['type'], pick: (set: RecordSet) => T[], ask: (r: Resolver, name: string) => Promise<Answer<T>>): Promise<Answer<T>> {
    let name = normaliseName(rawName);
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      // names outside the zone that the data holds anyway (a zone file with other owners) are answered too
      if (!inZone(name) && !byName.has(name)) return outside ? ask(outside, name) : Promise.resolve(unresolvable(name));
      const here = byName.get(name);
      const exact = here?.find((set) => set.type === type);
      if (exact) return Promise.resolve({ status: 'ok', records: pick(exact), ttl: exact.ttl });
      const alias = type === 'CNAME' ? undefined : here?.find((set) => set.type === 'CNAME');
      const target = alias?.values[0]?.data;
      if (target?.type === 'CNAME') {
        name = normaliseName(target.target);
        continue;
      }
      if (here && here.length > 0) return Promise.resolve({ status: 'nodata' });
      // an empty non-terminal (a name with descendants) exists: NODATA, not NXDOMAIN
      const hasDescendant = [...byName.keys()].some((other) => other.endsWith(`.${name}`));
      return Promise.resolve({ status: hasDescendant ? 'nodata' : 'nxdomain' });
    }
    return Promise.resolve({ status: 'temperror', reason: `CNAME chain longer than ${MAX_CNAME_HOPS} at ${rawName}` });
  }

  const values = <T>(set: RecordSet, map: (data: RecordSet['values'][number]['data']) => T | undefined): T[] =>
    set.values.flatMap((value) => {
      const mapped = map(value.data);
      return mapped === undefined ? [] : [mapped];
    });

  return {
    txt: (name) => lookup(name, 'TXT', (set) => values(set, (d) => (d.type === 'TXT' ? d.strings : undefined)), (r, n) => r.txt(n)),
    a: (name) => lookup(name, 'A', (set) => values(set, (d) => (d.type === 'A' ? d.address : undefined)), (r, n) => r.a(n)),
    aaaa: (name) => lookup(name, 'AAAA', (set) => values(set, (d) => (d.type === 'AAAA' ? d.address : undefined)), (r, n) => r.aaaa(n)),
    mx: (name) =>
      lookup<MxRecord>(name, 'MX', (set) => values(set, (d) => (d.type === 'MX' ? { preference: d.preference, exchange: normaliseName(d.exchange) } : undefined)), (r, n) => r.mx(n)),
    cname: (name) => lookup(name, 'CNAME', (set) => values(set, (d) => (d.type === 'CNAME' ? normaliseName(d.target) : undefined)), (r, n) => r.cname(n)),
    tlsa: (name) =>
      lookup<TlsaRecord>(name, 'TLSA', (set) => values(set, (d) => (d.type === 'TLSA' ? { usage: d.usage, selector: d.selector, matchingType: d.matchingType, data: d.data } : undefined)), (r, n) => r.tlsa?.(n) ?? Promise.resolve(unresolvable(n))),
    ptr: (ip) => {
      const parsed = parseAddress(ip);
      if (!parsed) return Promise.resolve({ status: 'nxdomain' });
      const name = reverseName(ip, parsed);
      if (!inZone(name) && !byName.has(name)) return outside ? outside.ptr(ip) : Promise.resolve(unresolvable(name));
      return lookup(name, 'PTR', (set) => values(set, (d) => (d.type === 'PTR' ? normaliseName(d.target) : undefined)), (r) => r.ptr(ip));
    },
  };
}
