import { describe, expect, it } from 'vitest';
import { aggregate, spfTerm, type CidrBlock } from '../../src/auth/cidr.ts';
import { FAMILY_BITS, formatAddress, parseAddress } from '../../src/auth/ip.ts';

/** Small deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expand(block: CidrBlock): bigint[] {
  const size = 1n << BigInt(FAMILY_BITS[block.family] - block.prefix);
  return Array.from({ length: Number(size) }, (_, i) => block.network + BigInt(i));
}

/** The fewest blocks covering a sorted set of values exactly, by brute force over runs (reference). */
function minimalCount(values: bigint[], bits: number): number {
  // dynamic programming over the sorted distinct values: best[i] = fewest blocks covering values[0..i)
  const sorted = [...new Set(values)].sort((x, y) => (x < y ? -1 : 1));
  const best = new Array<number>(sorted.length + 1).fill(Infinity);
  best[0] = 0;
  for (let i = 0; i < sorted.length; i++) {
    for (let size = 0; size <= bits; size++) {
      const start = sorted[i] as bigint;
      const count = 1n << BigInt(size);
      if (start % count !== 0n || i + Number(count) > sorted.length) break;
      if (sorted[i + Number(count) - 1] !== start + count - 1n) break;
      best[i + Number(count)] = Math.min(best[i + Number(count)] as number, (best[i] as number) + 1);
    }
  }
  return best[sorted.length] as number;
}

describe('aggregate', () => {
  it('merges aligned runs and keeps stragglers', () => {
    expect(aggregate(['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.5']).map(spfTerm)).toEqual(['ip4:192.0.2.0/30', 'ip4:192.0.2.5']);
  });

  it('does not merge an unaligned pair into a block that would add addresses', () => {
    expect(aggregate(['192.0.2.1', '192.0.2.2']).map(spfTerm)).toEqual(['ip4:192.0.2.1', 'ip4:192.0.2.2']);
  });

  it('handles IPv6 and mixed families, canonical text, duplicates', () => {
    const terms = aggregate(['2001:DB8::1', '2001:db8:0:0::0', '192.0.2.9', '2001:db8::1']).map(spfTerm);
    expect(terms).toEqual(['ip4:192.0.2.9', 'ip6:2001:db8::/127']);
  });

  it('rejects something that is not an address', () => {
    expect(() => aggregate(['relay1.example.com'])).toThrow(/not an IP address/);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`covers exactly the addresses, with the fewest blocks (random set, seed ${seed})`, () => {
      const next = random(seed);
      const v6 = seed % 3 === 0;
      const base = v6 ? (parseAddress('2001:db8::')?.value as bigint) : (parseAddress('10.20.0.0')?.value as bigint);
      // dense and sparse runs inside a 256-address window, so aligned blocks of many sizes appear
      const values = Array.from({ length: 1 + Math.floor(next() * 200) }, () => base + BigInt(Math.floor(next() * 256)));
      const addresses = values.map((value) => formatAddress(v6 ? 6 : 4, value));
      const blocks = aggregate(addresses);
      const covered = blocks.flatMap(expand);
      const wanted = new Set(values);
      expect(new Set(covered)).toEqual(wanted); // every address covered, nothing extra
      expect(covered.length).toBe(wanted.size); // no block overlaps another
      expect(blocks.length).toBe(minimalCount(values, v6 ? 128 : 32));
    });
  }
});
