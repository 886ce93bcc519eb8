// The desired zone as a one-shot command sees it: health from one probe round (or every enabled
// host with --all-healthy), and today's YYYYMMDD00 serial — the running `serve` owns the real one.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { ProbeRunner } from '../probe/runner.ts';
import { checkSourceAddress } from '../probe/source-address.ts';
import { allHealthy, desired, nextSerial } from '../desired.ts';
import type { DesiredZone, HealthSnapshot, HostHealth } from '../model.ts';
import { transportFromProbes, type TransportState } from '../auth/transport.ts';

/** Returns the zone with its notes unlogged: the caller may add its own before logging them. */
export async function desiredNow(config: Config, logger: Logger, useAllHealthy: boolean): Promise<DesiredZone> {
  const now = Date.now();
  let health: HealthSnapshot;
  let transport: TransportState | undefined;
  if (useAllHealthy) {
    health = allHealthy(config, now);
  } else {
    await checkSourceAddress(config.probe.sourceAddress);
    const runner = new ProbeRunner({ config, logger });
    try {
      // the keys this round saw make the TLSA records (auth.dane publish) and the mismatches
      transport = transportFromProbes(config, await runner.probeAllOnce(), now);
    } finally {
      await runner.stop();
    }
    health = withoutGrace(runner.snapshot());
  }
  return desired(config, health, { serial: nextSerial(0, new Date(now)), now, ...(transport ? { transport } : {}) });
}

/**
 * A one-shot run cannot know when a `disabled: true` host was withdrawn (only `serve`'s state file
 * does), and "now" would restart its SPF grace on every run, keeping it in SPF forever: a disabled
 * host is out of SPF here, as it is in `allHealthy`.
 */
function withoutGrace(health: HealthSnapshot): HealthSnapshot {
  const result = new Map<string, HostHealth>();
  for (const [name, entry] of health) {
    if (entry.state !== 'disabled' || entry.withdrawnAt === undefined) result.set(name, entry);
    else result.set(name, { host: entry.host, pool: entry.pool, state: entry.state, since: entry.since });
  }
  return result;
}
