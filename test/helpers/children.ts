// Every process a test spawns is tracked here so that none outlives its test file: the setup file
// (test/setup/temp-dirs.ts) kills what still runs when the file ends — a test that failed before its
// own cleanup, a start-up that timed out — and a worker that exits kills the rest synchronously.
// A leaked `serve` keeps probing and holding its loopback address, and breaks the files after it.
import type { ChildProcess } from 'node:child_process';

// one registry per process even if this module is evaluated again (vitest re-imports per test file)
const KEY = Symbol.for('mxpool.test.children');
const children = ((globalThis as Record<symbol, Set<ChildProcess> | undefined>)[KEY] ??= (() => {
  const set = new Set<ChildProcess>();
  process.once('exit', () => killAll(set));
  return set;
})());

function killAll(set: Set<ChildProcess>): number {
  let killed = 0;
  for (const child of set) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      killed++;
    }
  }
  set.clear();
  return killed;
}

/** Registers a spawned process; returns it, so `track(spawn(...))` reads naturally. */
export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGKILLs every tracked process still running; returns how many there were. */
export function killTracked(): number {
  return killAll(children);
}
