import { describe, it, expect, beforeEach } from 'vitest';
import { writeFileSync, readFileSync, readdirSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { readState, writeState, newSavedState, stateFilePath } from '../../src/state/file.ts';
import { StateWriter } from '../../src/state/writer.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const sample = () =>
  newSavedState('example.com', 1_700_000_000_000, 2026120101, [
    { host: 'mx1.example.com', pool: 'inbound', state: 'healthy', since: 1 },
    { host: 'mx2.example.com', pool: 'inbound', state: 'draining', since: 2, withdrawnAt: 2 },
  ], { inbound: ['mx1.example.com'] });

describe('state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('mxpool-state-');
  });

  it('round-trips health, drain times, last-known-good and serial', () => {
    writeState(dir, sample());
    const { logger, lines } = capturingLogger();
    expect(readState(dir, 'example.com', logger)).toEqual(sample());
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('round-trips the outbound addresses, retired addresses and the last SPF', () => {
    const state = newSavedState('example.com', 5, 7, [{ host: 'relay1.example.com', pool: 'relays', state: 'healthy', since: 1 }], {}, {
      addresses: [{ host: 'relay1.example.com', pool: 'relays', role: 'outbound', address: '192.0.2.11' }],
      retired: [{ address: '192.0.2.12', until: 99, host: 'relay2.example.com' }, { address: '2001:db8::12', until: 100 }],
      spf: [{ name: 'example.com', ttl: 30, values: [['v=spf1 ip4:192.0.2.11 ip4:192.0.2.12 -all']] }],
    });
    writeState(dir, state);
    const { logger, lines } = capturingLogger();
    const read = readState(dir, 'example.com', logger);
    expect(read).toEqual(state);
    expect(read?.retired[1]).toEqual({ address: '2001:db8::12', until: 100 });
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('reads a state file written before addresses, retired, spf, zones and transport were saved (missing = empty)', () => {
    const old = {
      version: 1, zone: 'example.com', savedAt: 1_700_000_000_000, serial: 2026120101,
      hosts: [{ host: 'relay1.example.com', pool: 'relays', state: 'draining', since: 2, withdrawnAt: 2 }],
      lastKnownGood: { relays: ['relay1.example.com'] },
    };
    writeFileSync(stateFilePath(dir), JSON.stringify(old));
    const { logger, lines } = capturingLogger();
    expect(readState(dir, 'example.com', logger)).toEqual({ ...old, addresses: [], retired: [], spf: [], zones: {}, transport: { stsNames: {}, stsPlaces: {}, dane: {} } });
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it.each([
    ['a retired entry without until', { retired: [{ address: '192.0.2.12' }] }],
    ['an address with an unknown role', { addresses: [{ host: 'a', pool: 'p', role: 'sideways', address: '192.0.2.1' }] }],
    ['an SPF set without values', { spf: [{ name: 'example.com', ttl: 30, values: [] }] }],
    ['a DANE key without its sightings', { transport: { dane: { 'mx1.example.com': { seen: { k: { first: 1 } }, published: {} } } } }],
  ])('a bad new field (%s) is a warning, never a crash', (_label, extra) => {
    writeFileSync(stateFilePath(dir), JSON.stringify({ ...sample(), ...extra }));
    const { logger, lines } = capturingLogger();
    expect(readState(dir, 'example.com', logger)).toBeUndefined();
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
  });

  it('creates the state directory and leaves no temp file behind', () => {
    const nested = join(dir, 'a', 'b');
    writeState(nested, sample());
    expect(readdirSync(nested)).toEqual(['state.json']);
  });

  it('replaces the file whole: the old content is never mixed with the new', () => {
    writeState(dir, sample());
    const next = { ...sample(), serial: 2026120102, hosts: [] };
    writeState(dir, next);
    expect(JSON.parse(readFileSync(stateFilePath(dir), 'utf8'))).toEqual(next);
  });

  it('a missing file is a warning and undefined', () => {
    const { logger, lines } = capturingLogger();
    expect(readState(dir, 'example.com', logger)).toBeUndefined();
    expect(lines.some((line) => line.level === 40 && /no state file/.test(line.msg))).toBe(true);
  });

  it.each([
    ['truncated JSON', '{"version":1,"zone":"exa'],
    ['binary garbage', '\u0000\u0001\u0002'],
    ['wrong shape', JSON.stringify({ version: 1, zone: 'example.com', savedAt: 1, serial: 'x', hosts: [], lastKnownGood: {} })],
    ['unknown state', JSON.stringify({ version: 1, zone: 'example.com', savedAt: 1, serial: 1, hosts: [{ host: 'a', pool: 'p', state: 'up', since: 1 }], lastKnownGood: {} })],
    ['another version', JSON.stringify({ ...sample(), version: 99 })],
    ['empty file', ''],
  ])('a corrupt file (%s) is a warning, never a crash', (_label, text) => {
    writeFileSync(stateFilePath(dir), text);
    const { logger, lines } = capturingLogger();
    expect(readState(dir, 'example.com', logger)).toBeUndefined();
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
  });

  it('ignores a state file of another zone', () => {
    writeState(dir, sample());
    const { logger, lines } = capturingLogger();
    expect(readState(dir, 'example.org', logger)).toBeUndefined();
    expect(lines.some((line) => /another zone/.test(line.msg))).toBe(true);
  });
});

describe('StateWriter', () => {
  it('coalesces a burst into one write and flushes the latest truth', async () => {
    const dir = tempDir('mxpool-writer-');
    let serial = 1;
    const writer = new StateWriter({ stateDir: dir, logger: capturingLogger().logger, minGapMs: 50, collect: () => ({ ...sample(), serial }) });
    writer.schedule();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writer.writes).toBe(1); // the first write goes at once
    for (serial = 2; serial <= 5; serial++) writer.schedule();
    serial = 5;
    expect(writer.writes).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(writer.writes).toBe(2);
    expect(JSON.parse(readFileSync(stateFilePath(dir), 'utf8')).serial).toBe(5);
    serial = 6;
    writer.schedule();
    writer.flush();
    expect(writer.writes).toBe(3);
    expect(JSON.parse(readFileSync(stateFilePath(dir), 'utf8')).serial).toBe(6);
    writer.flush();
    expect(writer.writes).toBe(3); // nothing pending: no write
  });

  it('logs a write error and keeps going', () => {
    const dir = tempDir('mxpool-writer-');
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x'); // a file where the state directory should be
    const { logger, lines } = capturingLogger();
    const writer = new StateWriter({ stateDir: join(blocker, 'sub'), logger, collect: sample });
    expect(() => writer.flush(true)).not.toThrow();
    expect(writer.writes).toBe(0);
    expect(lines.some((line) => line.level === 50 && /could not write/.test(line.msg))).toBe(true);
    expect(existsSync(join(blocker, 'sub'))).toBe(false);
    chmodSync(dir, 0o700);
  });
});
