// Aggregates a set of addresses into the fewest CIDR blocks that cover exactly those addresses:
// no address left out, none added. Runs of consecutive addresses are cut into maximal aligned
// blocks (the classic range-to-prefix split, which is minimal for each run).
import { FAMILY_BITS, formatAddress, parseAddress, type Family } from './ip.ts';

export interface CidrBlock {
  family: Family;
  network: bigint;
  prefix: number;
}

export function aggregate(addresses: readonly string[]): CidrBlock[] {
  const byFamily: Record<Family, bigint[]> = { 4: [], 6: [] };
  for (const text of addresses) {
    const parsed = parseAddress(text);
    if (!parsed) throw new Error(`not an IP address: ${text}`);
    byFamily[parsed.family].push(parsed.value);
  }
  return ([4, 6] as const).flatMap((family) => aggregateFamily(family, byFamily[family]));
}

function aggregateFamily(family: Family, values: bigint[]): CidrBlock[] {
  const sorted = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const blocks: CidrBlock[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as bigint) + 1n) j++;
    blocks.push(...rangeToBlocks(family, sorted[i] as bigint, sorted[j] as bigint));
    i = j + 1;
  }
  return blocks;
}

function rangeToBlocks(family: Family, first: bigint, last: bigint): CidrBlock[] {
  const bits = FAMILY_BITS[family];
  const blocks: CidrBlock[] = [];
  let start = first;
  while (start <= last) {
    // the largest block aligned at `start` that does not run past `last`
    let size = 0;
    while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= last) size++;
    blocks.push({ family, network: start, prefix: bits - size });
    start += 1n << BigInt(size);
  }
  return blocks;
}

/** `ip4:192.0.2.0/30`, `ip4:192.0.2.7` (no /32), `ip6:2001:db8::/126`. */
export function spfTerm(block: CidrBlock): string {
  const full = FAMILY_BITS[block.family];
  const address = formatAddress(block.family, block.network);
  return `ip${block.family}:${address}${block.prefix === full ? '' : `/${block.prefix}`}`;
}
