// PURE: the MX values of tenant zones for one health snapshot, computed once per distinct MX spec
// ("inbound at 10", "inbound at 10 + backup at 20") and shared by every tenant zone with that spec —
// a health change costs O(pools + specs), not O(zones x hosts). The pools' published hosts come
// from desired() of the top-level zone, so the whenAllDown/minHealthy/backup-weight rules are the
// same ones its own MX follows.
import { createHash } from 'node:crypto';
import type { Config, HostConfig } from '../config/schema.ts';
import type { RecordValue } from '../model.ts';
import type { MxEntry } from './parts.ts';

export interface SharedMx {
  /** the MX values, shared (never copied) by every zone of this spec */
  values: RecordValue[];
  /** equal hashes = equal values */
  hash: string;
}

export class MxValues {
  readonly #hosts = new Map<string, HostConfig>();
  readonly #published: Readonly<Record<string, readonly string[]>>;
  readonly #bySpec = new Map<string, SharedMx>();

  /** `published`: pool name -> the host names it publishes now (DesiredZone.published of the top-level zone) */
  constructor(config: Config, published: Readonly<Record<string, readonly string[]>>) {
    for (const pool of config.pools) for (const host of pool.hosts) this.#hosts.set(host.name, host);
    this.#published = published;
  }

  /** The shared values of one tenant's MX spec. */
  of(spec: readonly MxEntry[]): SharedMx {
    const key = spec.map((entry) => `${entry.pool}/${entry.preference}`).join(',');
    let shared = this.#bySpec.get(key);
    if (!shared) {
      shared = this.#build(spec);
      this.#bySpec.set(key, shared);
    }
    return shared;
  }

  #build(spec: readonly MxEntry[]): SharedMx {
    const values: RecordValue[] = [];
    for (const entry of spec) {
      for (const name of this.#published[entry.pool] ?? []) {
        const host = this.#hosts.get(name);
        if (!host) continue;
        values.push({ data: { type: 'MX', preference: entry.preference, exchange: host.name }, weight: host.weight, host: host.name });
      }
    }
    const text = values.map((v) => `${(v.data as { preference: number }).preference} ${v.host} ${v.weight}`).join(',');
    return { values, hash: createHash('sha1').update(text).digest('base64url').slice(0, 16) };
  }
}
