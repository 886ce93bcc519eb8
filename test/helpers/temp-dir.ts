// The one temp-dir helper for tests and benches: `tempDir('mxpool-x-')` makes a fresh folder in the
// system temp dir and remembers it; `removeTempDirs()` removes every folder made so far. Tests need no
// afterAll of their own: test/setup/temp-dirs.ts calls removeTempDirs after each test file, passed or
// failed. Scripts outside vitest (bench/) get the same on process exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// one registry per process even if this module is evaluated again (vitest re-imports per test file)
const KEY = Symbol.for('mxpool.test.tempDirs');
const registry = ((globalThis as Record<symbol, Set<string> | undefined>)[KEY] ??= (() => {
  const dirs = new Set<string>();
  process.once('exit', () => removeAll(dirs));
  return dirs;
})());

function removeAll(dirs: Set<string>): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/** A new, empty folder `<tmpdir>/<prefix>XXXXXX`, removed after the test file (or on exit). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  registry.add(dir);
  return dir;
}

/** Removes one folder made by tempDir now (e.g. in a loop that makes many). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  registry.delete(dir);
}

/** Removes every folder tempDir made in this process. */
export function removeTempDirs(): void {
  removeAll(registry);
}
