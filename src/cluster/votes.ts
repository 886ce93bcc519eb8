// This node's votes in etcd: its own rise/fall verdict on each host, written only when the verdict
// changes (a probe round where nothing changes writes nothing; the lease renewal is the only
// traffic). Changes of one moment go in one transaction; after a (re)join the votes are compared
// with what etcd holds for this node and only the difference is written.
import type { Logger } from '../log.ts';
import type { Vote, VoteValue } from './types.ts';
import { keys } from './keys.ts';
import type { EtcdSession } from './session.ts';
import type { Put } from './etcd.ts';

/** etcd refuses a transaction of more than 128 operations by default (--max-txn-ops). */
const OPS_PER_TXN = 100;
/** Changes within this window go in one transaction (one probe round's transitions). */
const GATHER_MS = 5;
/** Pause before writing again after a failed write while the session lives. */
const RETRY_MS = 1000;

export interface VoteBookOptions {
  node: string;
  hosts: readonly string[];
  /** this node's verdict now: undefined until the host's first probe result */
  verdict: (host: string) => { vote: VoteValue; reason: string } | undefined;
  session: EtcdSession;
  logger: Logger;
  now: () => number;
  setTimeout: (callback: () => void, ms: number) => unknown;
  /** one more etcd write of `ops` operations (metrics) */
  onWrite: (ops: number) => void;
}

export class VoteBook {
  readonly #o: VoteBookOptions;
  /** what this node's verdict is and since when (kept across sessions) */
  readonly #mine = new Map<string, Vote>();
  /** what we believe etcd holds for us (reset from the view at every (re)join) */
  #written = new Map<string, VoteValue>();
  #timer: unknown;
  #flushing: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: VoteBookOptions) {
    this.#o = options;
  }

  /** This node's current votes (for the API). */
  get mine(): ReadonlyMap<string, Vote> {
    return this.#mine;
  }

  /** A probe result came in for `host`: note a changed verdict and write it soon. */
  probed(host: string): void {
    const verdict = this.#o.verdict(host);
    if (!verdict) return;
    const before = this.#mine.get(host);
    if (before?.vote === verdict.vote) return;
    this.#mine.set(host, { vote: verdict.vote, since: this.#o.now(), reason: verdict.vote === 'down' ? verdict.reason.slice(0, 200) : '' });
    this.#soon();
  }

  /** Notes every host's verdict (start-up, after the first round) and writes what differs. */
  all(): void {
    for (const host of this.#o.hosts) {
      const verdict = this.#o.verdict(host);
      const before = this.#mine.get(host);
      if (verdict && before?.vote !== verdict.vote) this.#mine.set(host, { vote: verdict.vote, since: this.#o.now(), reason: verdict.vote === 'down' ? verdict.reason.slice(0, 200) : '' });
    }
    this.#soon();
  }

  /** A (re)join: etcd holds `current` for this node; write the difference. */
  rejoined(current: ReadonlyMap<string, Vote> | undefined): void {
    this.#written = new Map([...(current ?? new Map<string, Vote>())].map(([host, vote]) => [host, vote.vote]));
    this.#soon();
  }

  #soon(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = this.#o.setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, GATHER_MS);
  }

  /** Writes every vote that differs from what etcd holds; one flush at a time. */
  async flush(): Promise<void> {
    if (this.#flushing) {
      this.#again = true;
      return this.#flushing;
    }
    this.#flushing = this.#flushOnce().finally(() => {
      this.#flushing = undefined;
      if (this.#again) {
        this.#again = false;
        this.#soon();
      }
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const { session, node } = this.#o;
    if (!session.guard) return; // written at the next (re)join
    const puts: Put[] = [];
    const sent = new Map<string, VoteValue>();
    for (const [host, vote] of this.#mine) {
      if (this.#written.get(host) === vote.vote) continue;
      puts.push({ key: keys.vote(node, host), value: JSON.stringify(vote) });
      sent.set(host, vote.vote);
    }
    const stale = [...this.#written.keys()].filter((host) => !this.#mine.has(host)).map((host) => keys.vote(node, host));
    for (let i = 0; i < Math.max(puts.length, stale.length); i += OPS_PER_TXN) {
      const batch = puts.slice(i, i + OPS_PER_TXN);
      const gone = stale.slice(i, i + OPS_PER_TXN);
      if (!(await session.write(batch, gone))) {
        // a transient failure (an etcd leader election, a member that died): try again soon while the
        // session lives; a lost session re-publishes everything at its rejoin anyway
        if (session.guard) this.#retrySoon();
        return;
      }
      this.#o.onWrite(batch.length + gone.length);
      for (const put of batch) {
        const host = put.key.slice(put.key.lastIndexOf('/') + 1);
        this.#written.set(host, sent.get(host) as VoteValue);
      }
      for (const key of gone) this.#written.delete(key.slice(key.lastIndexOf('/') + 1));
    }
    // the first hosts named: what bench/cluster reads to tell when each node's vote reached etcd
    if (puts.length > 0) this.#o.logger.debug({ votes: puts.length, hosts: [...sent.keys()].slice(0, 10) }, 'cluster: votes written');
  }

  #retrySoon(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = this.#o.setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, RETRY_MS);
  }

  stop(): void {
    this.#stopped = true;
  }
}
