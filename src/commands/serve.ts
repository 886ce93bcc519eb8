// `mxpool serve --config F`: runs the daemon until SIGINT/SIGTERM, then shuts down cleanly
// (stop probing, finish in-flight probes, write state, close sockets) and exits 0 within 5 s.
// SIGHUP re-reads the config file (docs/serve.md "Reload").
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { settleHeap } from '../memory-policy.ts';
import { createLogger, type Logger } from '../log.ts';
import type { Daemon } from '../daemon.ts';

/** The whole shutdown must fit in 5 s; past this, exit anyway and say what hung. */
export const SHUTDOWN_BUDGET_MS = 4500;

export function serveCommand(context: CommandContext): Command {
  return new Command('serve')
    .description('probe on schedule, run the nameserver, sync providers, serve HTTP; until SIGINT/SIGTERM')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .action(async (options: { config: string; logLevel: string }) => {
      const logger = createLogger(options.logLevel);
      // SIGHUP's default action ends the process: take it over before anything else can be hit by it
      const hangups = reloadOnHangup(logger);
      const config = loadConfig(options.config);
      // loaded here, not at the top: every other command starts faster without the daemon's modules
      const [{ startDaemon }, { realServices }, { LiveConfig }] = await Promise.all([import('../daemon.ts'), import('../daemon/wiring.ts'), import('../daemon/live-config.ts')]);
      // the config read and the daemon's modules loaded with V8's default heap sizing; the memory saver from here on (memory-policy.ts)
      settleHeap();
      const live = new LiveConfig(config);
      const file = options.config;
      const daemon = await startDaemon({ config: live, reload: { file, load: async () => loadConfig(file) }, logger, services: realServices(live, logger) });
      hangups.ready(daemon);
      try {
        context.exitCode = await runUntilSignal(daemon, logger);
      } finally {
        hangups.stop();
      }
    });
}

/**
 * SIGHUP reloads the config (`systemctl reload`). Signals are coalesced by the daemon's reloader
 * (one running, one following); one that arrives during start-up is kept for when serve runs.
 */
export function reloadOnHangup(logger: Logger): { ready(daemon: Pick<Daemon, 'reload'>): void; stop(): void } {
  let daemon: Pick<Daemon, 'reload'> | undefined;
  let early = false;
  const reload = () => void daemon!.reload('SIGHUP');
  const onHangup = () => {
    if (daemon) return reload();
    if (!early) logger.info('SIGHUP during start-up: the config is reloaded once serve runs');
    early = true;
  };
  process.on('SIGHUP', onHangup);
  return {
    ready(running) {
      daemon = running;
      if (early) reload();
    },
    stop() {
      // a signal during shutdown must not end the process before the state is written
      process.removeListener('SIGHUP', onHangup);
      process.on('SIGHUP', () => logger.info('SIGHUP during shutdown: ignored'));
    },
  };
}

/** Waits for SIGINT or SIGTERM, stops the daemon, resolves with the exit code. A second signal forces exit. */
export function runUntilSignal(daemon: Pick<Daemon, 'stop'>, logger: Logger, extraStop?: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.once('SIGINT', () => forceExit(logger, 'second signal'));
      process.once('SIGTERM', () => forceExit(logger, 'second signal'));
      logger.info({ signal }, 'signal received: shutting down');
      const budget = setTimeout(() => forceExit(logger, `shutdown took longer than ${SHUTDOWN_BUDGET_MS} ms`), SHUTDOWN_BUDGET_MS);
      budget.unref();
      Promise.allSettled([daemon.stop(), extraStop?.()])
        .then((results) => {
          clearTimeout(budget);
          const failed = results.find((r) => r.status === 'rejected');
          if (failed) logger.error({ err: String((failed as PromiseRejectedResult).reason) }, 'shutdown step failed');
          // an unref'd guard: if some handle still holds the loop open, do not hang forever
          setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
          resolve(failed ? 1 : 0);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function forceExit(logger: Logger, why: string): never {
  logger.error({ why }, 'forced exit');
  process.exit(1);
}
