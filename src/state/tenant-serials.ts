// The serials of tenant zones served since the last state file, appended at every publish. The
// state file keeps every tenant zone's serial and content hash, but its writes are throttled (it is
// big: 10,000 zones), so a crash can lose the last publishes; a restart would then give a changed
// zone a serial it had already served for other records, and a secondary holding that serial would
// never transfer the new content (RFC 1995/1996). served-serial.ts guards the top-level zone the same
// way with one small file; here the changed zones of each publish are appended as lines
// "zone serial hash", and the log is emptied each time the state file has been written (which then
// holds them). A restart applies the state file, then this log (the last line of a zone wins).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import type { ZoneMark } from '../tenants/zones.ts';
import { serialBefore } from '../dns/serial.ts';

const LOG_NAME = 'tenant-serials.log';
/** larger than this is not a log of ours (10,000 zones x ~100 octets x many publishes): ignored */
const MAX_LOG_BYTES = 256 * 1024 * 1024;
const LINE = /^(\S{1,253}) (\d{1,10}) (\S{1,200})$/;

/** Appends the marks of the zones just published (one write; fsync so a power loss keeps them too). */
export function appendTenantSerials(stateDir: string, marks: readonly (ZoneMark & { zone: string })[]): void {
  if (marks.length === 0) return;
  mkdirSync(stateDir, { recursive: true });
  const fd = openSync(join(stateDir, LOG_NAME), 'a', 0o600);
  try {
    writeSync(fd, marks.map((mark) => `${mark.zone} ${mark.serial} ${mark.hash}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The state file now holds every mark: the log starts again. */
export function clearTenantSerials(stateDir: string): void {
  try {
    unlinkSync(join(stateDir, LOG_NAME));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The marks logged since the last state file, the last line of a zone winning. A line cut short by
 * a crash, or anything else that is not a mark, is skipped (and said once).
 */
export function readTenantSerials(stateDir: string, logger: Logger): Map<string, ZoneMark> {
  const file = join(stateDir, LOG_NAME);
  const marks = new Map<string, ZoneMark>();
  let text: string;
  try {
    if (statSync(file).size > MAX_LOG_BYTES) {
      logger.warn({ file }, 'the tenant serial log is larger than any this version writes: ignoring it');
      return marks;
    }
    text = readFileSync(file, 'utf8');
  } catch {
    return marks;
  }
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = LINE.exec(line);
    const serial = match ? Number(match[2]) : Number.NaN;
    if (!match || serial > 0xffffffff) {
      skipped++;
      continue;
    }
    marks.set(match[1] as string, { serial, hash: match[3] as string });
  }
  if (skipped > 0) logger.warn({ file, skipped }, 'lines of the tenant serial log that are not a zone, serial and hash were skipped');
  return marks;
}

/** The state file's marks, each replaced by the log's when the log names a later serial. */
export function withLoggedSerials(saved: Readonly<Record<string, ZoneMark>>, logged: ReadonlyMap<string, ZoneMark>): Record<string, ZoneMark> {
  const marks: Record<string, ZoneMark> = { ...saved };
  for (const [zone, mark] of logged) {
    const before = marks[zone];
    if (!before || serialBefore(before.serial, mark.serial)) marks[zone] = mark;
  }
  return marks;
}
