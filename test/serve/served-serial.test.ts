import { describe, it, expect } from 'vitest';
import { writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { readServedSerial, writeServedSerial } from '../../src/state/served-serial.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('the served-serial file', () => {
  it('round-trips the last serial of the zone, atomically (no temp file left)', () => {
    const dir = tempDir('mxpool-serial-');
    const { logger, lines } = capturingLogger();
    expect(readServedSerial(dir, 'example.com', logger)).toBe(0); // none yet: no warning
    writeServedSerial(dir, 'example.com', 2026120601);
    writeServedSerial(dir, 'example.com', 2026120602);
    expect(readServedSerial(dir, 'example.com', logger)).toBe(2026120602);
    expect(readdirSync(dir)).toEqual(['served-serial']);
    expect(lines).toEqual([]);
  });

  it.each([
    ['another zone', 'other.example 5\n'],
    ['not a number', 'example.com five\n'],
    ['beyond 32 bits', 'example.com 4294967296\n'],
    ['truncated', 'example.com 20261'],
    ['empty', ''],
  ])('%s: 0 with a warning, never a throw', (_what, text) => {
    const dir = tempDir('mxpool-serial-');
    writeFileSync(join(dir, 'served-serial'), text);
    const { logger, lines } = capturingLogger();
    expect(readServedSerial(dir, 'example.com', logger)).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(["the served-serial file is not this zone's serial: ignoring it"]);
  });
});
