// `mxpool zone --config F [--all-healthy]`: prints the zone mxpool would publish as an RFC 1035
// master file. Health comes from one probe round (or every enabled host with --all-healthy).
// The serial is today's YYYYMMDD00: the running `serve` owns the real, persisted serial.
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { desiredNow } from './desired-now.ts';
import { formatZone } from '../dns/masterfile.ts';

export function zoneCommand(context: CommandContext): Command {
  return new Command('zone')
    .description('print the zone mxpool would publish (RFC 1035 master file), from one probe round or --all-healthy')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .option('--all-healthy', 'skip probing: treat every host that is not disabled as healthy')
    .action(async (options: { config: string; allHealthy?: boolean; logLevel: string }) => {
      const logger = createLogger(options.logLevel);
      const config = loadConfig(options.config);
      const zone = await desiredNow(config, logger, options.allHealthy ?? false);
      if (!config.nameserver) zone.notes.push('no nameserver: section, so no SOA/NS: this is the record set the providers would sync');
      for (const note of zone.notes) logger.warn(note);
      process.stdout.write(formatZone(zone));
      context.exitCode = 0;
    });
}
