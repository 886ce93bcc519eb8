// Config reloads of a running `serve` (SIGHUP, POST /api/reload, `mxpool reload`): one at a time,
// each one all or nothing. A request that arrives while a reload runs waits for it, and every
// request that arrived meanwhile shares ONE follow-up reload, which reads the file after the first
// finished (the newest edit wins; a SIGHUP storm costs two reloads, not one per signal). During
// shutdown a reload is refused. A refused reload changes nothing: serve keeps the config it runs,
// every mistake is logged with FILE:LINE:COL, counted and kept for /api/state until a reload applies.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { ConfigError, MxpoolError } from '../errors.ts';
import { keyPosition } from '../config/load.ts';
import { describeChanges, describeRestartChange, restartChanges } from '../config/diff.ts';
import type { ApiConfigStatus, ApiReloadResult, ApiReloadTrigger } from '../http/types.ts';
import type { DesiredZone } from '../model.ts';
import type { LiveConfig } from './live-config.ts';
import type { Commit } from './apply-config.ts';

export interface ReloaderOptions {
  live: LiveConfig;
  /** the config file serve started from (positions of mistakes found after parsing point into it) */
  file: string | undefined;
  /** reads and validates the file; throws ConfigError with every mistake. None: nothing to reload (mxpool demo) */
  load: (() => Promise<Config>) | undefined;
  /** everything that can fail or take time; the commit it returns cannot fail (src/daemon/apply-config.ts) */
  prepare: (next: Config) => Promise<Commit>;
  serial: () => number;
  now: () => number;
  logger: Logger;
  /** counts each outcome (mxpool_config_reload*), with when the config in force was loaded */
  counted: (applied: boolean, loadedAt: number) => void;
}

export class Reloader {
  readonly #options: ReloaderOptions;
  #running: Promise<ApiReloadResult> | undefined;
  #followUp: Promise<ApiReloadResult> | undefined;
  /** reloads wait for start-up to finish, and stop with shutdown */
  #phase: 'starting' | 'open' | 'closed' = 'starting';
  #reloads = 0;
  #failures = 0;
  #last: ApiReloadResult | null = null;
  #lastError: ApiConfigStatus['lastReloadError'] = null;

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  status(): ApiConfigStatus {
    return {
      file: this.#options.file ?? null,
      loadedAt: this.#options.live.loadedAt,
      reloads: this.#reloads,
      reloadFailures: this.#failures,
      lastReload: this.#last,
      lastReloadError: this.#lastError,
    };
  }

  /** Reloads now, or after the reload running now (joining the one follow-up). Never throws. */
  request(trigger: ApiReloadTrigger): Promise<ApiReloadResult> {
    if (!this.#options.load) return Promise.resolve(this.#unavailable(trigger, 'this serve has no config file to re-read'));
    if (this.#phase === 'starting') return Promise.resolve(this.#unavailable(trigger, 'serve is still starting: reload again once it serves'));
    if (this.#phase === 'closed') return Promise.resolve(this.#unavailable(trigger, 'serve is shutting down: the reload was not done'));
    if (!this.#running) return this.#start(trigger);
    if (!this.#followUp) {
      this.#options.logger.info({ trigger }, 'reload requested while one runs: it follows when that one is done');
      this.#followUp = this.#running.then(() => {
        this.#followUp = undefined;
        return this.#phase === 'closed' ? this.#unavailable(trigger, 'serve is shutting down: the reload was not done') : this.#start(trigger);
      });
    }
    return this.#followUp;
  }

  /** Start-up is done: reloads may run. */
  open(): void {
    if (this.#phase === 'starting') this.#phase = 'open';
  }

  /** Shutdown: no reload starts from now on; one that is preparing is dropped before it commits. */
  close(): void {
    this.#phase = 'closed';
  }

  #start(trigger: ApiReloadTrigger): Promise<ApiReloadResult> {
    const running = this.#attempt(trigger).finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #attempt(trigger: ApiReloadTrigger): Promise<ApiReloadResult> {
    const { live, logger, now } = this.#options;
    const at = now();
    const previousSerial = this.#options.serial();
    logger.info({ trigger, file: this.#options.file }, 'reloading the config');
    let commit: Commit;
    let next: Config;
    try {
      next = await (this.#options.load as () => Promise<Config>)();
      const restart = restartChanges(live.current, next);
      if (restart.length > 0) {
        const file = this.#options.file ?? '<config>';
        const problems = restart.map((change) => ({ ...(this.#position(change.path) ?? { line: 1, col: 1 }), path: change.path, message: describeRestartChange(change) }));
        throw new ConfigError(file, problems);
      }
      commit = await this.#options.prepare(next);
    } catch (error) {
      return this.#refused(trigger, at, previousSerial, this.#mistakes(error));
    }
    if (this.#phase === 'closed') return this.#unavailable(trigger, 'serve is shutting down: the reload was not applied', at);
    const changes = describeChanges(live.current, next);
    let zone: DesiredZone;
    try {
      zone = commit(now());
    } catch (error) {
      // a bug, not a config mistake: the commit is built not to throw
      logger.error({ err: error instanceof Error ? error.stack : String(error) }, 'reload failed while applying; serve may run a mix of two configs: restart it');
      return this.#refused(trigger, at, previousSerial, [`internal error applying the reload: ${error instanceof Error ? error.message : String(error)} (restart serve)`]);
    }
    this.#reloads++;
    this.#lastError = null;
    const result = this.#result('applied', trigger, at, previousSerial, zone.serial, changes, []);
    this.#options.counted(true, live.loadedAt);
    logger.info({ trigger, ms: result.ms, serial: zone.serial, previousSerial, changes: changes.length > 0 ? changes : undefined }, changes.length > 0 ? `config reloaded: ${changes.length} change(s)` : 'config reloaded: no change');
    return result;
  }

  #refused(trigger: ApiReloadTrigger, at: number, previousSerial: number, errors: string[]): ApiReloadResult {
    const { logger, live } = this.#options;
    this.#failures++;
    for (const line of errors) logger.error({ trigger }, line);
    logger.error({ trigger, mistakes: errors.length, loadedAt: new Date(live.loadedAt).toISOString() }, `config reload refused: serve keeps running the config loaded at ${new Date(live.loadedAt).toISOString()}`);
    this.#lastError = { at, trigger, errors };
    this.#options.counted(false, live.loadedAt);
    return this.#result('refused', trigger, at, previousSerial, previousSerial, [], errors);
  }

  #unavailable(trigger: ApiReloadTrigger, why: string, at = this.#options.now()): ApiReloadResult {
    this.#options.logger.warn({ trigger }, why);
    const serial = this.#options.serial();
    return this.#result('unavailable', trigger, at, serial, serial, [], [why]);
  }

  #result(outcome: ApiReloadResult['outcome'], trigger: ApiReloadTrigger, at: number, previousSerial: number, serial: number, changes: string[], errors: string[]): ApiReloadResult {
    const result: ApiReloadResult = { outcome, trigger, at, ms: Math.max(0, this.#options.now() - at), file: this.#options.file ?? null, changes, errors, previousSerial, serial };
    if (outcome !== 'unavailable') this.#last = result;
    return result;
  }

  /** Every mistake as FILE:LINE:COL: key: what was expected (as `validate` prints them). */
  #mistakes(error: unknown): string[] {
    if (error instanceof ConfigError) return error.message.split('\n');
    if (error instanceof MxpoolError && /^[a-z]\w*(\.\w+)+$/i.test(error.origin)) {
      // found when the config is used (probe.caFile unreadable, a provider's token variable unset)
      const at = this.#position(error.origin);
      return [at ? `${this.#options.file}:${at.line}:${at.col}: ${error.message}` : error.message];
    }
    return [error instanceof Error ? error.message : String(error)];
  }

  #position(path: string): { line: number; col: number } | undefined {
    return this.#options.file ? keyPosition(this.#options.file, path) : undefined;
  }
}
