// `mxpool sync --config F [--provider P] [--once] [--dry-run] [--force]`: applies the plan at each
// provider — once, or (running) on each provider's cron schedule with health changes pushed as they
// happen, until SIGINT/SIGTERM. Exit 0 ok, 1 error (a refused or failed provider with --once).
import { join } from 'node:path';
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { UsageError } from '../errors.ts';
import { createSyncer, providersMinTtl, type SyncResult, type TenantSyncResult } from '../../providers/index.ts';
import { syncTenants, tenantsHaveProviders, zoneOf } from './tenant-sync.ts';
import { createTenantProviders, createTenantSyncers } from '../../providers/index.ts';
import { resultText, selectProviders } from './plan.ts';
import { desiredNow } from './desired-now.ts';
import { runUntilSignal } from './serve.ts';

interface SyncFlags {
  config: string;
  provider?: string;
  once?: boolean;
  dryRun?: boolean;
  force?: boolean;
  allHealthy?: boolean;
  logLevel: string;
}

export function syncCommand(context: CommandContext): Command {
  return new Command('sync')
    .description('apply the plan at each provider: once, or on each provider\'s schedule (exit 0 ok, 1 error)')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .option('--provider <name>', 'only this provider (route53 or cloudflare)')
    .option('--once', 'probe once, sync once, exit')
    .option('--dry-run', 'plan and print, write nothing')
    .option('--force', 'apply a plan the safety check refused (with --once only)')
    .option('--all-healthy', 'with --once: skip probing, treat every host that is not disabled as healthy')
    .action(async (options: SyncFlags) => {
      if (options.force && !options.once) throw new UsageError('--force applies to one sync only: use it with --once');
      if (options.allHealthy && !options.once) throw new UsageError('--all-healthy needs --once (a running sync follows real health)');
      const logger = createLogger(options.logLevel);
      const config = loadConfig(options.config);
      const providers = selectProviders(config, logger, options.provider);
      if (options.once) {
        const zone = await desiredNow(config, logger, options.allHealthy ?? false);
        for (const note of zone.notes) logger.warn(note);
        const syncer = createSyncer({ config, logger, providers });
        const syncOptions = { dryRun: options.dryRun ?? false, force: options.force ?? false };
        const results: (SyncResult | TenantSyncResult)[] = [...(providers.length > 0 ? await syncer.syncOnce(zone, syncOptions) : []), ...(await syncTenants(config, logger, zone, options.provider, syncOptions))];
        for (const result of results) {
          process.stdout.write(resultText(result));
          const where = zoneOf(result);
          if (result.applied) process.stdout.write(`${where === undefined ? '' : `${where} `}${result.provider}: applied in ${result.writes} write call(s)\n`);
        }
        context.exitCode = results.every((r) => r.ok) ? 0 : 1;
        return;
      }
      // Running: the daemon's loop without its nameserver and HTTP API — rise/fall, coalesced
      // publishes, last-known-good sets, the SPF grace of relays removed across a restart and the
      // last good SPF all work as in `serve`. Its state lives apart from serve's (`stateDir/sync`).
      const syncer = createSyncer({ config, logger, providers, dryRun: options.dryRun ?? false });
      if (options.dryRun) syncer.onResult((result) => process.stdout.write(resultText(result)));
      const { http: _onlyServeRunsTheApi, ...withoutHttp } = config;
      const { startDaemon } = await import('../daemon.ts');
      const tenantSyncers = tenantsHaveProviders(config, options.provider)
        ? createTenantSyncers({ config, logger, dryRun: options.dryRun ?? false, providersFor: (tenant) => createTenantProviders(config, tenant, logger).filter((p) => options.provider === undefined || p.name === options.provider) })
        : undefined;
      if (options.dryRun) tenantSyncers?.onResult((result) => process.stdout.write(resultText(result)));
      // the providers are the places the zone is published at: the MTA-STS hold waits for their
      // syncs of a new _mta-sts id (not in a dry run, which publishes nothing), with their TTL floor
      const services = {
        syncer: () => syncer,
        ...(tenantSyncers ? { tenantSyncers: () => tenantSyncers } : {}),
        ttlFloor: (next: typeof config) => providersMinTtl(next),
        ...(options.dryRun ? {} : { providerNames: () => providers.map((provider) => provider.name) }),
      };
      const daemon = await startDaemon({ config: { ...withoutHttp, stateDir: join(config.stateDir, 'sync') }, logger, services });
      logger.info({ providers: providers.map((p) => p.name) }, 'sync: running on each provider\'s schedule until SIGINT/SIGTERM');
      context.exitCode = await runUntilSignal(daemon, logger);
    });
}
