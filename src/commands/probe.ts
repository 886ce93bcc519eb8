// `mxpool probe --config F [--json]`: probes every host once; a table (or JSON) on stdout;
// exit 0 when every host (disabled ones aside) is healthy, 1 otherwise. Progress on a TTY stderr.
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { ProbeRunner } from '../probe/runner.ts';
import { showProgress } from './progress.ts';
import { checkSourceAddress } from '../probe/source-address.ts';
import { readCaFile } from '../probe/options.ts';
import { formatProbeJson, formatProbeTable, probeExitCode, type ProbeRow } from '../probe/report.ts';
import { Hygiene } from '../security/hygiene.ts';
import { rowHygiene } from '../security/rows.ts';

/** Progress appears only when a round takes longer than this (small pools finish first). */
const PROGRESS_AFTER_MS = 300;

export function probeCommand(context: CommandContext): Command {
  return new Command('probe')
    .description('probe every SMTP host once and print the results (exit 0 when all are healthy)')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { config: string; json?: boolean; logLevel: string }) => {
      const logger = createLogger(options.logLevel);
      const config = loadConfig(options.config);
      await checkSourceAddress(config.probe.sourceAddress);
      // probe.caFile is read once, here, for the probes and the security checks
      const ca = config.probe.caFile !== undefined ? readCaFile(config.probe.caFile) : undefined;
      const runner = new ProbeRunner({ config, logger, ...(ca !== undefined ? { ca } : {}) });
      // relay security checks and DNSBL lookups, when configured: their holds make hosts unhealthy
      const hygiene = new Hygiene({ config, logger, env: process.env, withhold: (host, key, reason) => runner.withhold(host, key, reason), ...(ca !== undefined ? { ca } : {}) });
      const total = config.pools.reduce((sum, pool) => sum + pool.hosts.length, 0);
      const stopProgress = probeProgress(runner, total);
      let results;
      try {
        [results] = await Promise.all([runner.probeAllOnce(), hygiene.runOnce()]);
      } finally {
        stopProgress();
        await Promise.all([runner.stop(), hygiene.stop()]);
      }
      const snapshot = runner.snapshot();
      const rows: ProbeRow[] = config.pools.flatMap((pool) =>
        pool.hosts.map((host) => ({
          host: host.name,
          pool: pool.name,
          address: host.address,
          port: host.port,
          state: snapshot.get(host.name)?.state ?? 'unhealthy',
          result: results.get(host.name)!,
          ...rowHygiene(hygiene, host.name),
        })),
      );
      process.stdout.write(options.json ? formatProbeJson(rows) : formatProbeTable(rows));
      context.exitCode = probeExitCode(rows);
    });
}

function probeProgress(runner: ProbeRunner, total: number): () => void {
  let done = 0;
  const onProbe = () => {
    done += 1;
  };
  runner.on('probe', onProbe);
  const stop = showProgress({ line: () => `probing: ${done}/${total} hosts`, after: PROGRESS_AFTER_MS });
  return () => {
    stop();
    runner.off('probe', onProbe);
  };
}
