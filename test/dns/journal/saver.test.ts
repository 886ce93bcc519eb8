// The journals of many zones reach stateDir in batches with the event loop free between them (a
// health change touching thousands of tenant zones must not stop the nameserver), each file
// readable; flush() and flushZone() write what is pending at once; a write error is logged, not thrown.
import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { DesiredZone } from '../../../src/model.ts';
import { ZoneJournal } from '../../../src/dns/journal/journal.ts';
import { journalDir, readJournal } from '../../../src/dns/journal/file.ts';
import { JournalSaver } from '../../../src/dns/journal/saver.ts';
import { silentLogger } from '../../../src/log.ts';
import { TransferGate } from '../../../src/dns/xfr/gate.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const dir = tempDir('mxpool-saver-');

function zone(name: string, serial: number, address: string): DesiredZone {
  return {
    zone: name,
    serial,
    sets: [
      { name, type: 'SOA', ttl: 60, values: [{ data: { type: 'SOA', mname: `ns1.${name}`, rname: `hostmaster.${name}`, serial, refresh: 3600, retry: 600, expire: 604800, minimum: 60 } }] },
      { name, type: 'NS', ttl: 60, values: [{ data: { type: 'NS', target: `ns1.${name}` } }] },
      { name: `mx.${name}`, type: 'A', ttl: 60, values: [{ data: { type: 'A', address } }] },
    ],
    notes: [],
  } as unknown as DesiredZone;
}

function journals(count: number): ZoneJournal[] {
  return Array.from({ length: count }, (_, i) => {
    const journal = new ZoneJournal(`t${i}.example`);
    journal.record(zone(`t${i}.example`, 1, '192.0.2.1'));
    journal.record(zone(`t${i}.example`, 2, '192.0.2.2'));
    return journal;
  });
}

describe('JournalSaver', () => {
  it('writes 2,000 zones in batches, yielding to the event loop between them; each file reads back', async () => {
    const stateDir = join(dir, 'many');
    const saver = new JournalSaver({ stateDir, logger: silentLogger, minGapMs: 10, batch: 250 });
    const all = journals(2000);
    for (const journal of all) saver.mark(journal);
    for (const journal of all) saver.mark(journal); // marked twice: written once
    let turns = 0;
    const tick = setInterval(() => turns++, 0);
    await expect.poll(() => saver.writes, { timeout: 20_000 }).toBe(2000);
    clearInterval(tick);
    expect(turns).toBeGreaterThan(2); // other callbacks ran while the batches were written
    expect(readdirSync(journalDir(stateDir)).filter((f) => f.endsWith('.json'))).toHaveLength(2000);
    const loaded = readJournal(stateDir, 't1999.example', silentLogger);
    expect(loaded?.latest.serial).toBe(2);
    expect(loaded?.diffs.map((d) => `${d.from}->${d.to}`)).toEqual(['1->2']);
  });

  it('flush() and flushZone() write what is pending now; nothing pending writes nothing', () => {
    const stateDir = join(dir, 'flush');
    const saver = new JournalSaver({ stateDir, logger: silentLogger, minGapMs: 60_000 });
    const [a, b] = journals(2) as [ZoneJournal, ZoneJournal];
    saver.mark(a);
    saver.mark(b);
    saver.flushZone('t0.example');
    expect(saver.writes).toBe(1);
    saver.flushZone('t0.example');
    expect(saver.writes).toBe(1);
    saver.flush();
    expect(saver.writes).toBe(2);
    saver.flush();
    expect(saver.writes).toBe(2);
    expect(readJournal(stateDir, 't1.example', silentLogger)?.latest.serial).toBe(2);
  });

  it('a directory that cannot be written: logged with the zone, the saver goes on', () => {
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file where the state directory should be');
    const lines: string[] = [];
    const saver = new JournalSaver({ stateDir: blocked, logger: pino({}, { write: (line: string) => void lines.push(line) }), minGapMs: 60_000 });
    saver.mark(journals(1)[0] as ZoneJournal);
    expect(() => saver.flush()).not.toThrow();
    expect(saver.writes).toBe(0);
    expect(lines.join('')).toMatch(/could not write the journal.*t0\.example|t0\.example.*could not write the journal/);
  });
});

describe('TransferGate journals', () => {
  it('keeps none while transfer.allow is empty (no secondary can ask), and starts with the next version once it is not', () => {
    const stateDir = join(dir, 'gate');
    const gate = new TransferGate({ allow: [], journal: { maxVersions: 10, maxBytes: 1 << 20 }, stateDir, logger: silentLogger, now: Date.now });
    gate.zoneChanged(zone('a.example', 1, '192.0.2.1'));
    gate.zoneChanged(zone('a.example', 2, '192.0.2.2'));
    expect(gate.journal('a.example')).toBeUndefined();
    gate.setAllow(['192.0.2.53']);
    gate.zoneChanged(zone('a.example', 3, '192.0.2.3'));
    gate.zoneChanged(zone('a.example', 4, '192.0.2.4'));
    expect(gate.journal('a.example')?.diffs.map((d) => `${d.from}->${d.to}`)).toEqual(['3->4']);
    gate.flush();
    expect(readJournal(stateDir, 'a.example', silentLogger)?.latest.serial).toBe(4);
    gate.forget('a.example');
    expect(gate.journal('a.example')).toBeUndefined();
  });
});
