// The last agreed version and its zones, kept in stateDir: a node that restarts while etcd is gone
// serves exactly what the cluster last agreed on (same serial, same records as the others), not a
// zone of its own making. Same encoding and checks as in etcd.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import type { DesiredZone } from '../model.ts';
import { writeFileAtomic } from '../state/file.ts';
import { decodeLarge, encodeLarge } from './codec.ts';
import { versionShape, zoneShape } from './shapes.ts';
import type { AgreedVersion } from './types.ts';

export const SAVED_AGREED_FILE = 'cluster-agreed.json.gz';

export interface SavedAgreed {
  version: AgreedVersion;
  zones: Record<string, DesiredZone>;
}

export function saveAgreed(stateDir: string, saved: SavedAgreed, logger: Logger): void {
  try {
    writeFileAtomic(stateDir, SAVED_AGREED_FILE, encodeLarge(saved));
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error), stateDir }, 'cluster: could not save the agreed zone in stateDir');
  }
}

export function readSavedAgreed(stateDir: string, zone: string, logger: Logger): SavedAgreed | undefined {
  const file = join(stateDir, SAVED_AGREED_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined; // never saved: a first start
  }
  try {
    const raw = decodeLarge(bytes) as { version?: unknown; zones?: Record<string, unknown> };
    const version = versionShape.parse(raw.version);
    const served = zoneShape.parse(raw.zones?.[zone]);
    if (version.serials[zone] !== served.serial) throw new Error('its version and zone disagree on the serial');
    return { version, zones: { [zone]: served } };
  } catch (error) {
    logger.warn({ file, err: error instanceof Error ? error.message : String(error) }, 'cluster: ignoring the saved agreed zone (unreadable)');
    return undefined;
  }
}
