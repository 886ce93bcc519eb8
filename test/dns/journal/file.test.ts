// The journal in stateDir: written atomically, read back to the same history; a corrupt, foreign or
// inconsistent file is logged and ignored (never a crash), and a missing one is simply no history.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { desired } from '../../../src/desired.ts';
import type { HealthState } from '../../../src/model.ts';
import { recordKey } from '../../../src/dns/journal/diff.ts';
import { ZoneJournal } from '../../../src/dns/journal/journal.ts';
import { journalFile, readJournal, writeJournal } from '../../../src/dns/journal/file.ts';
import { dnsConfig } from '../helpers.ts';
import { health } from '../../desired/fixtures.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const dir = tempDir('mxpool-journal-');
const cfg = dnsConfig('127.16.0.1:0');
const zoneAt = (serial: number, states: Record<string, HealthState> = {}) => desired(cfg, health(cfg, states), { serial, now: 0 });

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

function filled(stateDir: string): ZoneJournal {
  const journal = new ZoneJournal('example.com');
  journal.record(zoneAt(10));
  journal.record(zoneAt(11, { 'mx1.example.com': 'unhealthy' }));
  journal.record(zoneAt(12, { 'mx1.example.com': 'unhealthy', 'relay2.example.com': 'disabled' }));
  writeJournal(stateDir, journal);
  return journal;
}

describe('the journal file', () => {
  it('reads back the same latest version and differences (TXT over 255 octets, SRV, CAA, AAAA included)', () => {
    const stateDir = join(dir, 'roundtrip');
    const journal = filled(stateDir);
    const { logger, lines } = capture();
    const loaded = readJournal(stateDir, 'example.com', logger);
    expect(lines).toEqual([]);
    expect(loaded?.latest.serial).toBe(12);
    expect([...(loaded?.latest.records.keys() ?? [])].sort()).toEqual([...(journal.latest?.records.keys() ?? [])].sort());
    expect(loaded?.latest.soa).toEqual(journal.latest?.soa);
    expect(loaded?.diffs.map((d) => [d.from, d.to, d.deleted.map(recordKey).sort(), d.added.map(recordKey).sort()])).toEqual(journal.diffs.map((d) => [d.from, d.to, d.deleted.map(recordKey).sort(), d.added.map(recordKey).sort()]));
    const restored = new ZoneJournal('example.com');
    restored.restore(loaded!.latest, loaded!.diffs);
    expect(restored.changesSince(10)?.deleted.map(recordKey).sort()).toEqual(journal.changesSince(10)?.deleted.map(recordKey).sort());
    // nothing but the journal itself is left in the directory (no temp files)
    expect(readdirSync(join(stateDir, 'journal'))).toEqual(['example.com.json']);
  });

  it('no file: no history, no warning', () => {
    const { logger, lines } = capture();
    expect(readJournal(join(dir, 'none'), 'example.com', logger)).toBeUndefined();
    expect(lines).toEqual([]);
  });

  const broken: [string, (text: string) => string, RegExp][] = [
    ['truncated (a crash of something else mid-copy)', (t) => t.slice(0, t.length / 2), /not valid JSON/],
    ['not a journal', () => '{"hello":1}', /unexpected shape/],
    ['another zone', (t) => t.replace('"zone":"example.com"', '"zone":"example.org"'), /another zone/],
    ['a difference that does not join the next one', (t) => t.replace('"from":11', '"from":9'), /consistent history/],
    ['a record that does not parse', (t) => t.replace('"192.0.2.12"', '"192.0.2.999"'), /consistent history/],
    ['a record outside the zone', (t) => t.replace('"mx2.example.com"', '"mx2.example.org"'), /consistent history/],
    ['an SOA whose serial is not the file\'s', (t) => t.replace(/"serial":12/, '"serial":13'), /consistent history/],
  ];
  it.each(broken)('%s: logged and ignored', (_what, spoil, message) => {
    const stateDir = join(dir, `broken-${Math.random().toString(36).slice(2)}`);
    filled(stateDir);
    const file = journalFile(stateDir, 'example.com');
    const spoiled = spoil(readFileSync(file, 'utf8'));
    expect(spoiled).not.toBe(readFileSync(file, 'utf8'));
    writeFileSync(file, spoiled);
    const { logger, lines } = capture();
    expect(readJournal(stateDir, 'example.com', logger)).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe(40);
    expect(String(lines[0]?.msg)).toMatch(message);
    expect(String(lines[0]?.msg)).toMatch(/secondaries get one full transfer/);
  });
});
