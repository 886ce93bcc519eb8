// `audit --config F --live`: the relay security checks (pools[].security) and DNSBL lookups
// (dnsbl) of the config, run once — as `mxpool probe` runs them — so the live audit's `relay-` and
// `dnsbl-` rules judge the relays as they are now. Nothing is withheld (an audit publishes nothing).
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { Hygiene } from '../security/hygiene.ts';
import { readCaFile } from '../probe/options.ts';
import type { HygieneFacts } from './types.ts';

/** The facts of one round of checks and lookups; undefined when the config asks for neither. */
export async function hygieneOnce(config: Config, logger: Logger, env: Record<string, string | undefined>): Promise<HygieneFacts | undefined> {
  if (!config.dnsbl && !config.pools.some((pool) => pool.security !== undefined)) return undefined;
  // probe.caFile also trusted for the STARTTLS of the checks, as in probe and serve
  const ca = config.probe.caFile !== undefined ? readCaFile(config.probe.caFile) : undefined;
  const hygiene = new Hygiene({ config, logger, env, withhold: () => undefined, ...(ca !== undefined ? { ca } : {}) });
  try {
    await hygiene.runOnce();
    return hygiene.facts();
  } finally {
    await hygiene.stop();
  }
}
