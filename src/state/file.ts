// The state file: what must survive a restart so the nameserver can answer at once from the last
// known truth instead of an "everything is up" guess. One JSON file in `stateDir`, written atomically
// (temp file, fsync, rename, fsync of the directory) so a crash mid-write leaves the old file whole.
import { mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import type { HostHealth } from '../model.ts';

export const STATE_FILE_NAME = 'state.json';
const STATE_VERSION = 1;

const hostHealthSchema = z.object({
  host: z.string().min(1),
  pool: z.string().min(1),
  state: z.enum(['healthy', 'unhealthy', 'draining', 'disabled']),
  since: z.number().finite(),
  withdrawnAt: z.number().finite().optional(),
});

const savedStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  zone: z.string(),
  savedAt: z.number().finite(),
  /** the SOA serial last published; the next zone's serial must be greater */
  serial: z.number().int().min(0).max(0xffffffff),
  hosts: z.array(hostHealthSchema),
  /** per pool, the host names its records named the last time it had a healthy host */
  lastKnownGood: z.record(z.string(), z.array(z.string())),
});

export type SavedState = z.infer<typeof savedStateSchema>;

export function stateFilePath(stateDir: string): string {
  return join(stateDir, STATE_FILE_NAME);
}

/**
 * Reads the saved state. Missing, unreadable, corrupt or for another zone: a logged warning and
 * `undefined` — never a crash, since the daemon can always rebuild health by probing.
 */
export function readState(stateDir: string, zone: string, logger: Logger): SavedState | undefined {
  const file = stateFilePath(stateDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') logger.warn({ file }, 'no state file: health starts unknown, probing every host before answering');
    else logger.warn({ file, code }, 'state file unreadable: ignoring it, probing every host before answering');
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    logger.warn({ file, err: (error as Error).message }, 'state file is not valid JSON (corrupt?): ignoring it');
    return undefined;
  }
  const parsed = savedStateSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    logger.warn({ file, at: first?.path.join('.'), problem: first?.message }, 'state file has an unexpected shape: ignoring it');
    return undefined;
  }
  if (parsed.data.zone !== zone) {
    logger.warn({ file, saved: parsed.data.zone, zone }, 'state file belongs to another zone: ignoring it');
    return undefined;
  }
  return parsed.data;
}

/** Writes the state atomically: a reader sees the old file or the new one, never half of one. */
export function writeState(stateDir: string, state: SavedState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = stateFilePath(stateDir);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try { unlinkSync(temp); } catch { /* already gone */ }
    throw error;
  }
  closeSync(fd);
  renameSync(temp, file);
  syncDirectory(stateDir);
}

/** fsync of the directory makes the rename itself durable (ext4/xfs need it after a power loss). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function newSavedState(zone: string, now: number, serial: number, hosts: HostHealth[], lastKnownGood: Record<string, string[]>): SavedState {
  return { version: STATE_VERSION, zone, savedAt: now, serial, hosts: hosts.map(copyHealth), lastKnownGood };
}

function copyHealth(health: HostHealth): HostHealth {
  const copy: HostHealth = { host: health.host, pool: health.pool, state: health.state, since: health.since };
  if (health.withdrawnAt !== undefined) copy.withdrawnAt = health.withdrawnAt;
  return copy;
}
