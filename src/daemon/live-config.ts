// The config `serve` runs on right now: one frozen object, replaced whole by a reload (DESIGN.md:
// "reload swaps the whole frozen config"). Whoever needs the config at the moment it acts (the
// API, the state file, the daemon's audit, the wiring of the services) reads `current`; components
// that derive state from it (the probe runner, the publisher, the syncer...) are handed the new
// object by the reload in the same synchronous step as the swap, so no event sees a mix.
import type { Config } from '../config/schema.ts';

export interface ConfigSource {
  readonly current: Config;
}

export class LiveConfig implements ConfigSource {
  #current: Config;
  #loadedAt: number;

  constructor(initial: Config, loadedAt: number = Date.now()) {
    this.#current = initial;
    this.#loadedAt = loadedAt;
  }

  get current(): Config {
    return this.#current;
  }

  /** epoch ms when the current config was read (start-up or the last successful reload) */
  get loadedAt(): number {
    return this.#loadedAt;
  }

  swap(next: Config, at: number): void {
    this.#current = next;
    this.#loadedAt = at;
  }
}

/** A plain config (tests, one-shot commands) or a live one, as a source. */
export function configSource(config: Config | ConfigSource): ConfigSource {
  return 'current' in config ? config : { current: config };
}
