// vitest globalSetup: proves a run leaves the temp directory as it found it. The whole run (every
// worker and every process a test spawns, which inherit the environment) gets its own fresh TMPDIR,
// so other runs on the same machine cannot hide or add leftovers. At the end that folder must be
// empty: anything left is listed, removed, and fails the run.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const outer = process.env.TMPDIR;
  const runDir = mkdtempSync(join(tmpdir(), 'mxpool-test-run-'));
  // like /tmp itself: daemons that drop privileges (Postfix's master and its postfix user) must reach
  // their own folders inside it
  chmodSync(runDir, 0o1777);
  process.env.TMPDIR = runDir;
  // npm (run by the CLI tests under Node 24) would otherwise leave Node's module compile cache,
  // <tmpdir>/node-compile-cache, behind: a cache, not a test's file, but it would hide real leftovers
  const outerCache = process.env.NODE_DISABLE_COMPILE_CACHE;
  process.env.NODE_DISABLE_COMPILE_CACHE = '1';
  return () => {
    const left = readdirSync(runDir);
    rmSync(runDir, { recursive: true, force: true });
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    if (outerCache === undefined) delete process.env.NODE_DISABLE_COMPILE_CACHE;
    else process.env.NODE_DISABLE_COMPILE_CACHE = outerCache;
    if (left.length > 0) {
      const shown = left.slice(0, 20).join(', ') + (left.length > 20 ? `, ... (${left.length - 20} more)` : '');
      // a throw here is only logged by vitest ("error during close") and the run still exits 0
      process.exitCode = 1;
      console.error(`\nFAIL  the test run left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in its temp dir (every test must remove what it makes; use tempDir() from test/helpers/temp-dir.ts): ${shown}\n`);
    }
  };
}
