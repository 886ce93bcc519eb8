// The journal in stateDir (stateDir/journal/<zone>.json), so a restart keeps IXFR incremental: the
// latest version (to diff the next one against) and the kept differences, each record as
// [owner, ttl, type, master-file data]. Replaced by rename, without fsync (saver.ts says why). A missing, corrupt or mismatched file
// is logged and ignored — secondaries then get one full transfer, never a wrong incremental one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log.ts';
import { RECORD_TYPES, type RecordType } from '../../model.ts';
import { writeFileAtomic } from '../../state/file.ts';
import { formatRData, parseRData } from '../rdata.ts';
import { recordKey, type JournalRecord, type SoaRecord, type ZoneDiff, type ZoneVersion } from './diff.ts';
import type { ZoneJournal } from './journal.ts';

const FORMAT = 'mxpool-journal';
const VERSION = 1;
// every type a zone can hold (TLSA included): the one list in model.ts
const TYPES = RECORD_TYPES as [RecordType, ...RecordType[]];
const serial = z.number().int().min(0).max(0xffffffff);
const line = z.tuple([z.string(), z.number().int().min(0).max(0x7fffffff), z.enum(TYPES), z.string()]);

const fileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  zone: z.string(),
  serial,
  soa: line,
  records: z.array(line),
  diffs: z.array(z.object({ from: serial, to: serial, fromSoa: line, toSoa: line, deleted: z.array(line), added: z.array(line) })),
});

type Line = z.infer<typeof line>;

export function journalDir(stateDir: string): string {
  return join(stateDir, 'journal');
}

export function journalFile(stateDir: string, zone: string): string {
  return join(journalDir(stateDir), `${zone}.json`);
}

export function writeJournal(stateDir: string, journal: ZoneJournal): void {
  const latest = journal.latest;
  if (!latest) return;
  const zone = journal.zone;
  const out = {
    format: FORMAT,
    version: VERSION,
    zone,
    serial: latest.serial,
    soa: soaLine(zone, latest.soa),
    records: [...latest.records.values()].map(toLine),
    diffs: journal.diffs.map((d) => ({ from: d.from, to: d.to, fromSoa: soaLine(zone, d.fromSoa), toSoa: soaLine(zone, d.toSoa), deleted: d.deleted.map(toLine), added: d.added.map(toLine) })),
  };
  writeFileAtomic(journalDir(stateDir), `${zone}.json`, `${JSON.stringify(out)}\n`, { fsync: false });
}

export interface LoadedJournal {
  latest: ZoneVersion;
  diffs: ZoneDiff[];
}

/** Reads the journal of `zone`; undefined (and one log line saying why) when there is none to trust. */
export function readJournal(stateDir: string, zone: string, logger: Logger): LoadedJournal | undefined {
  const file = journalFile(stateDir, zone);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') logger.warn({ file, code }, 'journal unreadable: ignoring it; secondaries get one full transfer');
    return undefined;
  }
  const ignore = (why: Record<string, unknown>, message: string) => {
    logger.warn({ file, ...why }, `${message}: ignoring it; secondaries get one full transfer`);
    return undefined;
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return ignore({ err: (error as Error).message }, 'journal is not valid JSON (corrupt?)');
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return ignore({ at: first?.path.join('.'), problem: first?.message }, 'journal has an unexpected shape');
  }
  const saved = parsed.data;
  if (saved.zone !== zone) return ignore({ saved: saved.zone, zone }, 'journal belongs to another zone');
  try {
    const soa = toSoa(saved.soa, zone);
    if (soa.data.serial !== saved.serial) throw new Error(`its SOA has serial ${soa.data.serial}, not ${saved.serial}`);
    const records = new Map<string, JournalRecord>();
    for (const item of saved.records) {
      const record = toRecord(item, zone);
      records.set(recordKey(record), record);
    }
    const diffs = saved.diffs.map((d) => ({ from: d.from, to: d.to, fromSoa: toSoa(d.fromSoa, zone), toSoa: toSoa(d.toSoa, zone), deleted: d.deleted.map((r) => toRecord(r, zone)), added: d.added.map((r) => toRecord(r, zone)) }));
    diffs.forEach((d, i) => {
      const next = diffs[i + 1]?.from ?? saved.serial;
      if (d.to !== next || d.fromSoa.data.serial !== d.from || d.toSoa.data.serial !== d.to) throw new Error(`difference ${d.from} -> ${d.to} does not join the next version (${next})`);
    });
    return { latest: { zone, serial: saved.serial, soa, records }, diffs };
  } catch (error) {
    return ignore({ problem: (error as Error).message }, 'journal does not hold a consistent history');
  }
}

function toLine(record: JournalRecord): Line {
  return [record.name, record.ttl, record.type, formatRData(record.data)];
}

function soaLine(zone: string, soa: SoaRecord): Line {
  return [zone, soa.ttl, 'SOA', formatRData(soa.data)];
}

function toRecord([name, ttl, type, data]: Line, zone: string): JournalRecord {
  if (name !== zone && !name.endsWith(`.${zone}`)) throw new Error(`${name} is outside ${zone}`);
  return { name, ttl, type: type as RecordType, data: parseRData(type as RecordType, data, zone) };
}

function toSoa(item: Line, zone: string): SoaRecord {
  const record = toRecord(item, zone);
  if (record.data.type !== 'SOA' || record.name !== zone) throw new Error('an SOA line that is not the apex SOA');
  return { ttl: record.ttl, data: record.data };
}
