// The tenant serial log (src/state/tenant-serials.ts): what a restart learns of the tenant zones
// published after the last state file. Files in a temp dir; no daemon (the crash itself is in
// test/tenants/nsd-daemon.test.ts).
import { describe, it, expect } from 'vitest';
import { appendFileSync, existsSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { appendTenantSerials, clearTenantSerials, readTenantSerials, withLoggedSerials } from '../../src/state/tenant-serials.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function capturingLogger() {
  const lines: Array<{ level: number; msg: string; skipped?: number }> = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('the tenant serial log', () => {
  it('appends each publish; the last line of a zone wins; cleared once the state file holds them', () => {
    const dir = join(tempDir('mxpool-tenant-serials-'), 'state'); // created by the first append
    const { logger, lines } = capturingLogger();
    expect(readTenantSerials(dir, logger).size).toBe(0);
    appendTenantSerials(dir, [{ zone: 'a.example', serial: 2026120700, hash: 'h1.m1' }, { zone: 'b.example', serial: 2026120700, hash: 'h2.m1' }]);
    appendTenantSerials(dir, []);
    appendTenantSerials(dir, [{ zone: 'a.example', serial: 2026120701, hash: 'h1.m2' }]);
    expect(readdirSync(dir)).toEqual(['tenant-serials.log']);
    expect([...readTenantSerials(dir, logger)]).toEqual([
      ['a.example', { serial: 2026120701, hash: 'h1.m2' }],
      ['b.example', { serial: 2026120700, hash: 'h2.m1' }],
    ]);
    clearTenantSerials(dir);
    clearTenantSerials(dir); // nothing to clear: no error
    expect(existsSync(join(dir, 'tenant-serials.log'))).toBe(false);
    expect(lines).toEqual([]);
  });

  it('a line cut short by a crash, or anything not a mark, is skipped with one warning', () => {
    const dir = tempDir('mxpool-tenant-serials-');
    appendTenantSerials(dir, [{ zone: 'a.example', serial: 7, hash: 'h1' }]);
    appendFileSync(join(dir, 'tenant-serials.log'), 'b.example 4294967296 h\nc.example x h\n\nd.example 9 h3\ne.example 2026');
    const { logger, lines } = capturingLogger();
    expect([...readTenantSerials(dir, logger)]).toEqual([['a.example', { serial: 7, hash: 'h1' }], ['d.example', { serial: 9, hash: 'h3' }]]);
    expect(lines.map((l) => [l.msg, l.skipped])).toEqual([['lines of the tenant serial log that are not a zone, serial and hash were skipped', 3]]);
  });

  it('a logged serial replaces the state file\'s only when it is later (RFC 1982 order)', () => {
    const saved = { 'a.example': { serial: 10, hash: 'old' }, 'b.example': { serial: 20, hash: 'kept' }, 'c.example': { serial: 4294967290, hash: 'wrap' } };
    const logged = new Map([
      ['a.example', { serial: 11, hash: 'new' }],
      ['b.example', { serial: 19, hash: 'stale' }], // older than the state file: a log the state file already holds
      ['c.example', { serial: 3, hash: 'wrapped' }], // past the 32-bit wrap: later
      ['d.example', { serial: 1, hash: 'added' }],
    ]);
    expect(withLoggedSerials(saved, logged)).toEqual({
      'a.example': { serial: 11, hash: 'new' },
      'b.example': { serial: 20, hash: 'kept' },
      'c.example': { serial: 3, hash: 'wrapped' },
      'd.example': { serial: 1, hash: 'added' },
    });
  });

  it('a file too large to be ours is ignored with a warning', () => {
    const dir = tempDir('mxpool-tenant-serials-');
    writeFileSync(join(dir, 'tenant-serials.log'), '');
    // sparse: 256 MiB + 1 without writing them
    truncateSync(join(dir, 'tenant-serials.log'), 256 * 1024 * 1024 + 1);
    const { logger, lines } = capturingLogger();
    expect(readTenantSerials(dir, logger).size).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(['the tenant serial log is larger than any this version writes: ignoring it']);
  });
});
