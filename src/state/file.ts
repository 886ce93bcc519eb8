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
  disabledBy: z.literal('operator').optional(),
});

/** A host's address as the config had it when the state was saved: a later start compares. */
const savedAddressSchema = z.object({
  host: z.string().min(1),
  pool: z.string().min(1),
  role: z.enum(['inbound', 'outbound']),
  address: z.string().min(1),
});

/** An address still in SPF after its host left the config (or changed address), until `until`. */
const retiredSchema = z.object({
  address: z.string().min(1),
  until: z.number().finite(),
  /** the host that held it (for logs) */
  host: z.string().min(1).optional(),
});

/** One published SPF record set (the apex SPF TXT or an `_spfN` link): each value as its strings. */
const savedSpfSetSchema = z.object({
  name: z.string().min(1),
  ttl: z.number().int().min(0),
  values: z.array(z.array(z.string())).min(1),
});

/** A tenant zone's SOA serial and the content hash of the version it names. */
const zoneMarkSchema = z.object({
  serial: z.number().int().min(0).max(0xffffffff),
  hash: z.string(),
});

/** DANE: per MX host, the keys its probes saw and since when each is in the published TLSA RRset. */
const savedDaneHostSchema = z.object({
  seen: z.record(z.string(), z.object({ first: z.number().finite(), last: z.number().finite() })),
  published: z.record(z.string(), z.number().finite()),
  since: z.number().finite().optional(),
});

/** Transport security: what must survive a restart for the MTA-STS safety rule and DANE. */
const savedTransportSchema = z.object({
  /** MTA-STS: each name of the served policy -> since when the policy has named it */
  stsNames: z.record(z.string(), z.number().finite()).default({}),
  /** MTA-STS: per place that publishes the zone, the id it carries and since when it names each name */
  stsPlaces: z
    .record(z.string(), z.object({ id: z.string().nullable(), since: z.number().finite().optional(), names: z.record(z.string(), z.number().finite()) }))
    .default({}),
  dane: z.record(z.string(), savedDaneHostSchema).default({}),
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
  // Added later in version 1 (optional, so files written before them still load, and an older
  // mxpool reading a newer file just ignores them):
  /** every host's address and pool role at save time: which addresses were sending */
  addresses: z.array(savedAddressSchema).default([]),
  /** addresses of removed hosts SPF still authorises, with the end of their grace period */
  retired: z.array(retiredSchema).default([]),
  /** the SPF record sets last published: kept after a restart when a new SPF fails its checks */
  spf: z.array(savedSpfSetSchema).default([]),
  /** per tenant zone: the serial last published and its content hash (unchanged content keeps its serial) */
  zones: z.record(z.string(), zoneMarkSchema).default({}),
  /** MTA-STS and DANE bookkeeping (src/daemon/transport.ts) */
  transport: savedTransportSchema.default({ stsNames: {}, stsPlaces: {}, dane: {} }),
});

export type SavedState = z.infer<typeof savedStateSchema>;
export type SavedAddress = z.infer<typeof savedAddressSchema>;
export type SavedRetired = z.infer<typeof retiredSchema>;
export type SavedSpfSet = z.infer<typeof savedSpfSetSchema>;
export type SavedZoneMark = z.infer<typeof zoneMarkSchema>;
export type SavedTransport = z.infer<typeof savedTransportSchema>;

/** The parts of the state added after the first release; absent = empty. */
export interface SavedExtras {
  addresses?: SavedAddress[];
  retired?: SavedRetired[];
  spf?: SavedSpfSet[];
  zones?: Record<string, SavedZoneMark>;
  transport?: SavedTransport;
}

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
  writeFileAtomic(stateDir, STATE_FILE_NAME, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Temp file, fsync, rename, fsync of the directory: a crash mid-write leaves the old file whole.
 * `fsync: false` — rename only: the file is whole or the old one for readers, but a power cut may
 * lose it (for caches that are checked when read, such as the IXFR journal).
 */
export function writeFileAtomic(dir: string, name: string, data: string | Buffer, options: { fsync?: boolean } = {}): void {
  const durable = options.fsync ?? true;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    if (durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try { unlinkSync(temp); } catch { /* already gone */ }
    throw error;
  }
  closeSync(fd);
  renameSync(temp, file);
  if (durable) syncDirectory(dir);
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

export function newSavedState(zone: string, now: number, serial: number, hosts: HostHealth[], lastKnownGood: Record<string, string[]>, extras: SavedExtras = {}): SavedState {
  return {
    version: STATE_VERSION,
    zone,
    savedAt: now,
    serial,
    hosts: hosts.map(copyHealth),
    lastKnownGood,
    addresses: (extras.addresses ?? []).map((a) => ({ host: a.host, pool: a.pool, role: a.role, address: a.address })),
    retired: (extras.retired ?? []).map((r) => (r.host === undefined ? { address: r.address, until: r.until } : { address: r.address, until: r.until, host: r.host })),
    spf: (extras.spf ?? []).map((set) => ({ name: set.name, ttl: set.ttl, values: set.values.map((strings) => [...strings]) })),
    zones: Object.fromEntries(Object.entries(extras.zones ?? {}).map(([zone, mark]) => [zone, { serial: mark.serial, hash: mark.hash }])),
    transport: structuredClone(extras.transport ?? { stsNames: {}, stsPlaces: {}, dane: {} }),
  };
}

function copyHealth(health: HostHealth): HostHealth {
  const copy: HostHealth = { host: health.host, pool: health.pool, state: health.state, since: health.since };
  if (health.withdrawnAt !== undefined) copy.withdrawnAt = health.withdrawnAt;
  if (health.disabledBy !== undefined) copy.disabledBy = health.disabledBy;
  return copy;
}
