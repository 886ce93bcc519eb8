// The desired zone as a one-shot command sees it: health from one probe round (or every enabled
// host with --all-healthy), and today's YYYYMMDD00 serial — the running `serve` owns the real one.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { ProbeRunner } from '../probe/runner.ts';
import { allHealthy, desired, nextSerial } from '../desired.ts';
import type { DesiredZone, HealthSnapshot } from '../model.ts';

/** Returns the zone with its notes unlogged: the caller may add its own before logging them. */
export async function desiredNow(config: Config, logger: Logger, useAllHealthy: boolean): Promise<DesiredZone> {
  const now = Date.now();
  let health: HealthSnapshot;
  if (useAllHealthy) {
    health = allHealthy(config, now);
  } else {
    const runner = new ProbeRunner({ config, logger });
    try {
      await runner.probeAllOnce();
    } finally {
      await runner.stop();
    }
    health = runner.snapshot();
  }
  return desired(config, health, { serial: nextSerial(0, new Date(now)), now });
}
