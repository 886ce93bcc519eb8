// Confirms a failure quickly. The runner re-probes a refused connection at once (fast fall), but
// after a timeout or a bad reply it waits a full interval, so a silent host (a firewall that drops
// packets) would need fall x (interval + timeout) to leave DNS. Issue 5 asks for interval +
// fall x timeout: after any failed probe of a host that still counts as healthy, `serve` probes it
// again at once (the failed probe already waited out its timeout; at most fall - 1 extra probes).
// rise/fall still decide: a flapping host answers the confirmation and keeps its state.
import type { Logger } from '../log.ts';
import type { ProbeRunner, RunnerClock } from '../probe/runner.ts';
import type { ProbeResult } from '../probe/types.ts';

export class FailureConfirmer {
  readonly #runner: ProbeRunner;
  readonly #clock: RunnerClock;
  readonly #logger: Logger;
  readonly #timers = new Map<string, unknown>();
  #stopped = false;

  constructor(runner: ProbeRunner, clock: RunnerClock, logger: Logger) {
    this.#runner = runner;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** Call on every 'probe' event. */
  observe(host: string, result: ProbeResult): void {
    if (result.ok || result.refused === true || this.#stopped) return; // refused: the runner's own fast fall
    // the runner applies the result right after emitting 'probe': look once it has
    queueMicrotask(() => {
      const health = this.#runner.healthOf(host);
      if (this.#stopped || health.probed !== 'healthy' || health.failures === 0 || this.#timers.has(host)) return;
      const timer = this.#clock.setTimeout(() => {
        this.#timers.delete(host);
        if (this.#stopped) return;
        this.#runner.probeNow(host).catch((error: unknown) => this.#logger.warn({ host, err: String(error) }, 'confirmation probe failed to run'));
      }, 0);
      this.#timers.set(host, timer);
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) this.#clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
