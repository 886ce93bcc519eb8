// `mxpool zone --config F [--zone Z] [--all-healthy]`: prints the zone mxpool would publish as an
// RFC 1035 master file — the top-level zone, or with --zone one of the tenant (customer) zones.
// Health comes from one probe round (or every enabled host with --all-healthy).
// The serial is today's YYYYMMDD00: the running `serve` owns the real, persisted serial.
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { UsageError } from '../errors.ts';
import { desiredNow } from './desired-now.ts';
import { formatZone } from '../dns/masterfile.ts';
import { TenantZones } from '../tenants/zones.ts';

export function zoneCommand(context: CommandContext): Command {
  return new Command('zone')
    .description('print the zone mxpool would publish (RFC 1035 master file), from one probe round or --all-healthy')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .option('--zone <zone>', 'a tenant zone of the config instead of the top-level zone')
    .option('--all-healthy', 'skip probing: treat every host that is not disabled as healthy')
    .action(async (options: { config: string; zone?: string; allHealthy?: boolean; logLevel: string }) => {
      const logger = createLogger(options.logLevel);
      const config = loadConfig(options.config);
      const wanted = options.zone?.toLowerCase().replace(/\.$/, '');
      if (wanted !== undefined && wanted !== config.zone && !config.tenants.some((tenant) => tenant.zone === wanted)) {
        const tenants = config.tenants.length === 0 ? 'it has no tenants' : `it has ${config.tenants.length} tenant zones (tenants:, tenantsFrom:)`;
        throw new UsageError(`zone: --zone ${options.zone} is not a zone of ${options.config} (its top-level zone is ${config.zone}; ${tenants})`);
      }
      if (config.tenants.some((tenant) => tenant.zone === wanted && tenant.dns === 'external')) {
        throw new UsageError(`zone: --zone ${options.zone} is dns: external in ${options.config}: mxpool does not publish it (audit --config --live checks it)`);
      }
      const top = await desiredNow(config, logger, options.allHealthy ?? false);
      let zone = top;
      if (wanted !== undefined && wanted !== config.zone) {
        const tenants = new TenantZones(config);
        tenants.publish(config, top.published ?? {}, new Date());
        zone = tenants.get(wanted) as NonNullable<ReturnType<typeof tenants.get>>;
      }
      if (!config.nameserver) zone.notes.push('no nameserver: section, so no SOA/NS: this is the record set the providers would sync');
      for (const note of zone.notes) logger.warn(note);
      process.stdout.write(formatZone(zone));
      context.exitCode = 0;
    });
}
