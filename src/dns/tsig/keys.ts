// TSIG keys as the nameserver holds them: name (lower-case, no trailing dot), algorithm and the
// decoded secret. Built from plain values (the config layer reads the environment); every check a
// mail administrator can get wrong says what was expected without ever repeating the secret.
import { algorithmByName, MAX_SECRET_OCTETS, MIN_SECRET_OCTETS, type TsigAlgorithm } from './algorithms.ts';

export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

/** Keys by name; a name is unique (RFC 8945 5.2.1 looks a key up by name, then checks its algorithm). */
export type TsigKeyring = ReadonlyMap<string, TsigKey>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes a base64 secret as tsig-keygen, keymgr and BIND write it; a description of the problem otherwise. */
export function decodeSecret(text: string): { secret: Buffer } | { problem: string } {
  const compact = text.replace(/\s+/g, '');
  if (compact === '') return { problem: 'is empty' };
  if (!BASE64.test(compact)) return { problem: 'is not valid base64 (as tsig-keygen or keymgr print it)' };
  const secret = Buffer.from(compact, 'base64');
  if (secret.length < MIN_SECRET_OCTETS) return { problem: `decodes to ${secret.length} octets; a TSIG secret needs at least ${MIN_SECRET_OCTETS} (tsig-keygen makes 32 for hmac-sha256)` };
  if (secret.length > MAX_SECRET_OCTETS) return { problem: `decodes to ${secret.length} octets; at most ${MAX_SECRET_OCTETS}` };
  return { secret };
}

export function keyName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Builds a keyring; throws on a duplicate name or an unknown algorithm (the config schema rejects both first). */
export function keyring(keys: readonly { name: string; algorithm: string; secret: Buffer }[]): TsigKeyring {
  const ring = new Map<string, TsigKey>();
  for (const key of keys) {
    const name = keyName(key.name);
    const algorithm = algorithmByName(key.algorithm);
    if (!algorithm) throw new Error(`TSIG key ${name}: unknown algorithm ${key.algorithm}`);
    if (ring.has(name)) throw new Error(`TSIG key ${name} defined twice`);
    // not enumerable: a key that ends up in a log line or a JSON dump does not carry its secret along
    const tsigKey = { name, algorithm } as TsigKey;
    Object.defineProperty(tsigKey, 'secret', { value: key.secret, enumerable: false });
    ring.set(name, tsigKey);
  }
  return ring;
}
