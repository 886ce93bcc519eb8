// IPv4/IPv6 addresses as bigints, so CIDR arithmetic is the same code for both families.
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  value: bigint;
}

export const FAMILY_BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** Parses a textual address; undefined when it is not one. Accepts IPv4-mapped tails in IPv6. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { family: 4, value: parseV4(text) };
  if (family === 6) return { family: 6, value: parseV6(text) };
  return undefined;
}

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function parseV6(text: string): bigint {
  let body = text.split('%')[0] as string;
  // an embedded IPv4 tail (::ffff:192.0.2.1) becomes two hextets
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4) {
    const value = parseV4(v4[1] as string);
    body = `${body.slice(0, v4.index)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head, tail] = body.includes('::') ? (body.split('::') as [string, string]) : [body, undefined];
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  return parts.reduce((acc, hextet) => (acc << 16n) | BigInt(parseInt(hextet, 16)), 0n);
}

/** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const hextets = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero hextets, the first one on a tie
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Canonical form of an address text, or undefined when it is not an address. */
export function canonicalAddress(text: string): string | undefined {
  const parsed = parseAddress(text);
  return parsed && formatAddress(parsed.family, parsed.value);
}

/** True when `address` lies inside `network/prefix` (same family). */
export function inNetwork(address: ParsedAddress, network: ParsedAddress, prefix: number): boolean {
  if (address.family !== network.family) return false;
  const shift = BigInt(FAMILY_BITS[address.family] - prefix);
  return address.value >> shift === network.value >> shift;
}
