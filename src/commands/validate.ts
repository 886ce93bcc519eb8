// `mxpool validate --config F`: 0 when valid; 1 with every problem as FILE:LINE:COL: key.path: expected.
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';

export function validateCommand(context: CommandContext): Command {
  return new Command('validate')
    .description('check a config file; print every problem as file:line:col: key.path: what was expected')
    .requiredOption('-c, --config <file>', 'the YAML config')
    .action((options: { config: string }) => {
      const config = loadConfig(options.config);
      const hosts = config.pools.reduce((sum, pool) => sum + pool.hosts.length, 0);
      const tenants = config.tenants.length > 0 ? `, ${config.tenants.length} tenant zone${config.tenants.length === 1 ? '' : 's'}` : '';
      process.stdout.write(`${options.config}: valid (zone ${config.zone}, ${config.pools.length} pools, ${hosts} hosts${tenants})\n`);
      context.exitCode = 0;
    });
}
