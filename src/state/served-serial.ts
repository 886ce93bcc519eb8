// The last SOA serial served, in a file of its own, written at every publish. The state file is
// throttled (one write a second at most, it is big), so a crash can leave it a few publishes behind;
// restarting from its serial would hand secondaries an old serial again, now for other records
// (RFC 1995/1996: a secondary that has a serial never asks for that version again). This file is a
// few bytes, so writing it on every publish costs one small atomic write each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './file.ts';
import type { Logger } from '../log.ts';

const SERIAL_FILE_NAME = 'served-serial';

/** Records `serial` as served for `zone` (atomic: the old value or the new one survives a crash). */
export function writeServedSerial(stateDir: string, zone: string, serial: number): void {
  writeFileAtomic(stateDir, SERIAL_FILE_NAME, `${zone} ${serial}\n`);
}

/** The serial last served for `zone`, or 0 when the file is missing, foreign or not a serial. */
export function readServedSerial(stateDir: string, zone: string, logger: Logger): number {
  let text: string;
  try {
    text = readFileSync(join(stateDir, SERIAL_FILE_NAME), 'utf8');
  } catch {
    return 0;
  }
  const match = /^(\S+) (\d{1,10})\n$/.exec(text);
  const serial = match ? Number(match[2]) : Number.NaN;
  if (!match || match[1] !== zone || serial > 0xffffffff) {
    logger.warn({ file: join(stateDir, SERIAL_FILE_NAME) }, 'the served-serial file is not this zone\'s serial: ignoring it');
    return 0;
  }
  return serial;
}
