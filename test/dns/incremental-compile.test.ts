// PURE: a zone version compiled with the previous one (the sets that did not change are that
// version's compiled sets, rotations computed on first use) answers byte for byte as a compile from
// scratch — through a chain of versions that changes health, weights, TTLs, values, names, CNAMEs
// and delegations — and does reuse what did not change.
import { describe, expect, it } from 'vitest';
import { answer } from '../../src/dns/answer.ts';
import { encodeResponse } from '../../src/dns/encode.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { TYPE } from '../../src/dns/constants.ts';
import { compileZone, ROTATION_SLOTS, type ZoneIndex } from '../../src/dns/zoneindex.ts';
import { Engine } from '../../src/dns/engine.ts';
import type { DesiredZone, RecordSet } from '../../src/model.ts';
import { rawQuery } from './packets.ts';
import { chain } from './versions.ts';

const TYPES = ['A', 'AAAA', 'MX', 'TXT', 'NS', 'SOA', 'CNAME', 'SRV', 'CAA', 'ANY'] as const;
const SLOTS = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 200, 233, 254, 255];

/** Every name either version holds, their parents, and names that do not exist. */
function names(...indexes: ZoneIndex[]): string[] {
  const all = new Set<string>(['nothere.example.com', 'a.b.c.example.com', 'x.sub.example.com', 'example.org']);
  for (const index of indexes) for (const name of index.existing) all.add(name);
  return [...all].sort();
}

function replies(index: ZoneIndex, name: string, type: (typeof TYPES)[number]): string[] {
  const decoded = decodeQuery(rawQuery(name, TYPE[type], { edns: { payload: 1232 } }));
  if (!decoded.ok) throw new Error(`cannot decode a query for ${name} ${type}`);
  return SLOTS.map((slot) => {
    const response = answer(index, decoded.query, { transport: 'udp', random: () => (slot + 0.5) / ROTATION_SLOTS });
    return encodeResponse(response, 1232).toString('hex');
  });
}

describe('incremental compile', () => {
  it('answers byte for byte as a compile from scratch, version after version', () => {
    const engine = new Engine([], Math.random);
    let previous: ZoneIndex | undefined;
    let compared = 0;
    for (const [label, zone] of chain) {
      const incremental = engine.set(zone).index;
      const scratch = compileZone(structuredClone(zone)); // other objects: nothing shared by identity
      expect(incremental.sets.map((s) => `${s.name} ${s.type}`), label).toEqual(scratch.sets.map((s) => `${s.name} ${s.type}`));
      expect([...incremental.existing].sort(), label).toEqual([...scratch.existing].sort());
      expect([...incremental.delegations].sort(), label).toEqual([...scratch.delegations].sort());
      expect(incremental.negativeTtl, label).toBe(scratch.negativeTtl);
      for (const name of names(incremental, ...(previous ? [previous] : []))) {
        for (const type of TYPES) {
          expect(replies(incremental, name, type), `${label}: ${name} ${type}`).toEqual(replies(scratch, name, type));
          compared++;
        }
      }
      previous = incremental;
    }
    expect(compared).toBeGreaterThan(chain.length * 20 * TYPES.length);
  });

  it('reuses the compiled sets (and their rotations) that did not change, and only those', () => {
    const [, first] = chain[0] as [string, DesiredZone];
    const [, second] = chain[1] as [string, DesiredZone];
    const before = compileZone(first);
    const set = (index: ZoneIndex, name: string, type: 'A' | 'MX' | 'TXT' | 'SOA') => index.nodes.get(name)?.get(type);
    const rotations = set(before, 'smtp.example.com', 'A')?.rotations;
    expect(rotations).toBeDefined();
    // mx2 down: the inbound pool's A and MX change; the outbound pool, SPF and static records do not
    const after = compileZone(structuredClone(second), before);
    expect(set(after, 'smtp.example.com', 'A')).toBe(set(before, 'smtp.example.com', 'A'));
    expect(set(after, 'smtp.example.com', 'A')?.rotations).toBe(rotations);
    expect(set(after, '_dmarc.example.com', 'TXT')).toBe(set(before, '_dmarc.example.com', 'TXT'));
    expect(set(after, 'mx.example.com', 'A')).not.toBe(set(before, 'mx.example.com', 'A'));
    expect(set(after, 'mx.example.com', 'A')?.data).toHaveLength(1); // mx1 (mx3 is IPv6)
    expect(set(after, 'example.com', 'MX')).not.toBe(set(before, 'example.com', 'MX'));
    expect(set(after, 'example.com', 'SOA')).not.toBe(set(before, 'example.com', 'SOA'));
    // another zone's index is never a source of reuse
    const other = compileZone(structuredClone(second), { ...before, zone: 'example.org' });
    expect(set(other, 'smtp.example.com', 'A')).not.toBe(set(before, 'smtp.example.com', 'A'));
  });

  it('a weighted set gets the same orders as a compile from scratch, computed when first asked for', () => {
    const [, zone] = chain[4] as [string, DesiredZone];
    const lazy = compileZone(zone).nodes.get('mx.example.com')?.get('A');
    const fresh = compileZone(structuredClone(zone)).nodes.get('mx.example.com')?.get('A');
    expect(lazy?.rotations).toHaveLength(ROTATION_SLOTS);
    expect(lazy?.rotations).toEqual(fresh?.rotations);
    expect([...(lazy?.slotClass ?? [])]).toEqual([...(fresh?.slotClass ?? [])]);
    expect(compileZone(zone).nodes.get('example.com')?.get('SOA')?.rotations).toBeUndefined();
  });
});
