// Who may transfer a zone (PURE): `transfer.allow` entries are an address, or an address and a TSIG
// key. An address listed without a key is admitted as before (signed or not); an address listed only
// with keys must sign with one of them — unsigned, or signed with another key, it is refused.
import { plainAddress } from '../listeners.ts';
import { canonicalIPv6 } from '../rdata.ts';
import { isIPv6 } from 'node:net';

export interface AllowEntry {
  address: string;
  /** TSIG key name the request must be signed with */
  key?: string;
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

export class TransferAccess {
  /** address -> keys it may use; null = admitted without a key */
  readonly #byAddress = new Map<string, Set<string> | null>();

  constructor(entries: readonly (string | AllowEntry)[]) {
    for (const entry of entries) {
      const { address, key } = typeof entry === 'string' ? { address: entry, key: undefined } : entry;
      const normal = normalize(address);
      const known = this.#byAddress.get(normal);
      if (key === undefined || known === null) this.#byAddress.set(normal, null);
      else this.#byAddress.set(normal, new Set([...(known ?? []), key.toLowerCase()]));
    }
  }

  /** Someone may transfer at all (transfer.allow is not empty). */
  get anyone(): boolean {
    return this.#byAddress.size > 0;
  }

  /** `key`: the name of the key the request was signed (and verified) with, if any. */
  decide(remote: string, key: string | undefined): AccessDecision {
    const keys = this.#byAddress.get(normalize(remote));
    if (keys === undefined) return { allowed: false, reason: 'address not in nameserver.transfer.allow' };
    if (keys === null || (key !== undefined && keys.has(key))) return { allowed: true };
    const required = [...keys].join(' or ');
    return { allowed: false, reason: key === undefined ? `transfer.allow requires a request signed with TSIG key ${required}` : `signed with TSIG key ${key}; transfer.allow requires ${required}` };
  }
}

function normalize(address: string): string {
  const plain = plainAddress(address);
  return isIPv6(plain) ? canonicalIPv6(plain) : plain;
}
