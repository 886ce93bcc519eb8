// The whole provider contract: what the target can do (as data), what it holds, and how to change it.
// Everything else — diff, ownership, safety — is the planner's job (src/plan), the same for every target.
import type { Change } from '../src/model.ts';
import type { Capabilities, CurrentSet } from '../src/plan/index.ts';

export type { Capabilities, CurrentSet };

export interface Provider {
  /** "route53", "cloudflare": the key in config.providers and in logs */
  readonly name: string;
  readonly capabilities: Capabilities;
  /**
   * Every record set in the zone — mxpool's own and everyone else's — with `owner` set from the
   * provider's ownership mark. Bookkeeping records (Route 53 registry TXT) are not returned.
   */
  records(): Promise<CurrentSet[]>;
  /**
   * Applies one plan's changes, as one transaction where the API allows (batches past
   * `capabilities.batchSize` are split). `before` sets must come from the last `records()`.
   * On failure nothing of the failing batch is applied and the error says what the API answered.
   */
  apply(changes: readonly Change[]): Promise<ApplyResult>;
}

export interface ApplyResult {
  /** write calls made (one per batch, retries not counted) */
  writes: number;
}

/** Calls counted by operation: the benchmark's and the logs' view of what a sync cost. */
export interface ApiCounter {
  count(operation: string): void;
}

/** Waits; injected so tests can run retries without real delays. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
