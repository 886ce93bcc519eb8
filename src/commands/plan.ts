// `mxpool plan --config F [--provider P] [--json]`: one probe round, then the changes a sync would
// make at each provider, for a person to review. Exit 0 no changes, 3 changes pending, 1 error.
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { createLogger, type Logger } from '../log.ts';
import { MxpoolError, UsageError } from '../errors.ts';
import { desiredNow } from './desired-now.ts';
import { planToJson, renderPlanText } from '../plan/index.ts';
import { createProviders, createSyncer, type Provider, type SyncResult, type TenantSyncResult } from '../../providers/index.ts';
import { syncTenants, tenantsHaveProviders, zoneOf } from './tenant-sync.ts';

export const EXIT_PENDING = 3;

/**
 * The top-level zone's configured providers, or the one named by --provider. Tenants with providers
 * of their own count as configured too (their providers come from syncTenants).
 */
export function selectProviders(config: Config, logger: Logger, only: string | undefined): Provider[] {
  const providers = createProviders(config, logger);
  const tenants = tenantsHaveProviders(config);
  if (providers.length === 0 && !tenants) throw new MxpoolError('CONFIG_INVALID', 'providers', 'no provider is configured (add providers.route53 or providers.cloudflare to the config)', { fatal: true });
  if (only === undefined) return providers;
  const chosen = providers.filter((p) => p.name === only);
  if (chosen.length === 0 && !tenantsHaveProviders(config, only)) throw new UsageError(`--provider ${only}: not configured here (configured: ${providers.map((p) => p.name).join(', ') || 'only in tenants'})`);
  return chosen;
}

export function resultText(result: SyncResult | TenantSyncResult): string {
  const zone = zoneOf(result);
  const prefix = zone === undefined ? '' : `${zone} `;
  if (result.plan) return prefix + renderPlanText(result.plan) + (result.error && !result.plan.refused ? `  x error: ${result.error}\n` : '');
  return `${prefix}${result.provider}: error: ${result.error ?? 'unknown'}\n`;
}

/** 1 when a provider could not be read or planned; 3 when something is pending (or refused, or in conflict). */
export function planExitCode(results: readonly (SyncResult | TenantSyncResult)[]): number {
  if (results.some((r) => !r.plan)) return 1;
  const pending = results.some((r) => r.plan && (r.plan.changes.length > 0 || r.plan.conflicts.length > 0));
  return pending ? EXIT_PENDING : 0;
}

export function planCommand(context: CommandContext): Command {
  return new Command('plan')
    .description('probe once and print the changes a sync would make at each provider (exit 0 none, 3 pending, 1 error)')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .option('--provider <name>', 'only this provider (route53 or cloudflare)')
    .option('--json', 'print JSON instead of text')
    .option('--all-healthy', 'skip probing: treat every host that is not disabled as healthy')
    .action(async (options: { config: string; provider?: string; json?: boolean; allHealthy?: boolean; logLevel: string }) => {
      const logger = createLogger(options.logLevel);
      const config = loadConfig(options.config);
      const providers = selectProviders(config, logger, options.provider);
      const zone = await desiredNow(config, logger, options.allHealthy ?? false);
      for (const note of zone.notes) logger.warn(note);
      const syncer = createSyncer({ config, logger, providers });
      const results: (SyncResult | TenantSyncResult)[] = [...(providers.length > 0 ? await syncer.syncOnce(zone, { dryRun: true }) : []), ...(await syncTenants(config, logger, zone, options.provider, { dryRun: true }))];
      if (options.json) {
        const plans = results.map((r) => ({ zone: zoneOf(r) ?? zone.zone, ...(r.plan ? planToJson(r.plan) : { provider: r.provider, error: r.error }) }));
        process.stdout.write(`${JSON.stringify({ zone: zone.zone, serial: zone.serial, plans }, null, 2)}\n`);
      } else {
        for (const result of results) process.stdout.write(resultText(result));
      }
      context.exitCode = planExitCode(results);
    });
}
