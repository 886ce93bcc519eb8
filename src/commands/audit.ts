// `mxpool audit (--config F | --domain D [--dkim-selector S]...) [--nameserver ip:port]
//  [--format text|json|markdown|sarif] [--fail-on error|warning]`: 0 clean, 1 findings at or above
// --fail-on, 2 usage.
import { Command, Option } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { UsageError } from '../errors.ts';
import { auditConfig } from '../audit/desired-audit.ts';
import { liveResolver } from '../audit/live-resolver.ts';
import { FORMATS, writeReport, type Format } from '../audit/report/index.ts';
import { failsAt, runAudit, type AuditReport } from '../audit/run.ts';

interface AuditOptions {
  config?: string;
  domain?: string;
  dkimSelector: string[];
  nameserver?: string;
  format: Format;
  failOn: 'error' | 'warning';
}

export function auditCommand(context: CommandContext): Command {
  return new Command('audit')
    .description('lint SPF, DMARC, DKIM, MX, PTR and pool consistency: of the zone a config would publish (--config), or of live DNS (--domain)')
    .option('-c, --config <file>', 'audit the zone this config would publish (every host healthy), before publishing')
    .option('-d, --domain <domain>', 'audit the live DNS of this domain')
    .option('--dkim-selector <selector>', 'a DKIM selector to check (repeat for several; with --domain)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--nameserver <ip:port>', 'ask this nameserver (with --config: for names outside the zone)')
    .addOption(new Option('--format <format>', 'report format').choices(FORMATS as unknown as string[]).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning']).default('error'))
    .action(async (options: AuditOptions) => {
      if (Boolean(options.config) === Boolean(options.domain)) throw new UsageError('audit: give exactly one of --config FILE or --domain DOMAIN');
      if (options.config && options.dkimSelector.length > 0) throw new UsageError('audit: --dkim-selector goes with --domain (with --config the selectors come from auth.dkim)');
      let report: AuditReport;
      if (options.config) {
        const config = loadConfig(options.config);
        report = await auditConfig(config, options.nameserver ? { nameserver: options.nameserver } : {});
      } else {
        const domain = (options.domain as string).toLowerCase().replace(/\.$/, '');
        if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(domain)) throw new UsageError(`audit: --domain: "${options.domain}" is not a domain name`);
        const resolver = liveResolver(options.nameserver ? { nameserver: options.nameserver } : {});
        report = await runAudit({ domain, source: 'live', resolver, dkimSelectors: options.dkimSelector });
      }
      const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
      process.stdout.write(writeReport(report, options.format, { colour }));
      context.exitCode = failsAt(report, options.failOn) ? 1 : 0;
    });
}
