// The servers every question starts from: --nameserver, or the system's resolvers.
// A recursive resolver that is slow on one name is not dead (its upstream may be), so a timeout
// alone never condemns it, unlike a delegated server. But a start server that has answered none of
// the last `silentLimit` questions sent to it is not answering at all, and without this every
// remaining question of a fleet run would wait its whole timeout: 6,000 questions at 32 in flight
// and 5 s each is over 15 minutes spent learning nothing. A condemned server is still sent one
// question per `probeEveryMs` (the first question after that pause goes through), and is live again
// from its first answer. PURE: counts and a clock, no sockets.
import { serverLabel, type ServerAddress } from '../../dns/client.ts';

export interface StartServersOptions {
  /** questions in a row without an answer before a start server is condemned */
  silentLimit: number;
  /** how often a condemned server is still asked (one question) */
  probeEveryMs: number;
  /** epoch ms */
  now: () => number;
}

interface Health {
  /** questions sent since the last answer */
  silent: number;
  /** when a condemned server was last let through, epoch ms */
  probedAt: number;
}

export class StartServers {
  readonly #servers: readonly ServerAddress[];
  readonly #options: StartServersOptions;
  readonly #health = new Map<string, Health>();

  constructor(servers: readonly ServerAddress[], options: StartServersOptions) {
    this.#servers = servers;
    this.#options = options;
    for (const server of servers) this.#health.set(serverLabel(server), { silent: 0, probedAt: 0 });
  }

  /** The servers to ask now: the live ones; when none is live, all of them once per probe pause; else none. */
  pick(): ServerAddress[] {
    const live = this.#servers.filter((server) => !this.#condemned(server));
    if (live.length > 0) return [...live];
    const now = this.#options.now();
    const first = this.#health.get(serverLabel(this.#servers[0] as ServerAddress)) as Health;
    if (now - first.probedAt < this.#options.probeEveryMs) return [];
    for (const health of this.#health.values()) health.probedAt = now;
    return [...this.#servers];
  }

  answered(server: ServerAddress): void {
    const health = this.#health.get(serverLabel(server));
    if (health) health.silent = 0;
  }

  /** `server` did not answer a question (timeout, port unreachable, unreadable answer). */
  failed(server: ServerAddress): void {
    const health = this.#health.get(serverLabel(server));
    if (health) health.silent++;
  }

  /** Why no start server is asked (for the temperror of a question refused without being sent). */
  why(): string {
    const names = this.#servers.map(serverLabel).join(', ');
    return `the nameserver ${names} answered none of the last ${this.#options.silentLimit} questions (asked again once every ${Math.round(this.#options.probeEveryMs / 1000)} s)`;
  }

  #condemned(server: ServerAddress): boolean {
    return (this.#health.get(serverLabel(server))?.silent ?? 0) >= this.#options.silentLimit;
  }
}
