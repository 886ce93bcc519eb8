// The CLI's heap policy (src/memory-policy.ts): V8's memory saver mode keeps the young generation
// small under a fast-allocating load. Checked in child processes so this worker's heap is untouched.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { preferSmallHeap } from '../../src/memory-policy.ts';

/**
 * A child process applying the policy as the CLI does for `command`, then `load()`: ~300 MB of
 * short-lived objects (a few survive for a while, as sockets do), reporting the young generation's
 * size. `settle`: then settleHeap and the load again (serve: its config read, then the daemon).
 */
const SCRIPT = (command: string, settle: boolean) => `
import { getHeapSpaceStatistics } from 'node:v8';
import { preferSmallHeap, settleHeap } from './src/memory-policy.ts';
function load() {
  const keep = [];
  for (let i = 0; i < 3e6; i++) { const o = { a: i, b: 'x' + i, c: [i] }; if (i % 50 === 0) keep.push(o); if (keep.length > 20000) keep.length = 0; }
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
}
const applied = preferSmallHeap(process.execArgv, process.versions.v8, '${command}');
const first = load();
if (${settle}) settleHeap();
console.log(JSON.stringify({ applied, beforeMb: first, youngMb: ${settle} ? load() : first }));
`;

function child(nodeFlags: string[], command = 'probe', settle = false): Promise<{ applied: boolean; youngMb: number; beforeMb: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, '--input-type=module', '-e', SCRIPT(command, settle)], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as { applied: boolean; youngMb: number; beforeMb: number });
    });
  });
}

describe('preferSmallHeap', () => {
  it('keeps the young generation small; without it V8 grows it under the same load', async () => {
    const [small, opted] = await Promise.all([child([]), child(['--no-memory-saver-mode'])]);
    expect(small.applied).toBe(true);
    // the saver's young generation varies with when its scavenges fall (4-32 MB seen on a loaded
    // machine); V8's default grows it to 64 MB or more under the same load
    expect(small.youngMb).toBeLessThanOrEqual(32);
    // the operator's explicit flag wins: nothing applied, V8's default growth
    expect(opted.applied).toBe(false);
    expect(opted.youngMb).toBeGreaterThanOrEqual(64);
    expect(opted.youngMb).toBeGreaterThan(small.youngMb);
  });

  it('serve reads its input with V8\'s default sizing, then settleHeap turns the saver on', async () => {
    const serve = await child([], 'serve', true);
    expect(serve.applied).toBe(true);
    expect(serve.beforeMb).toBeGreaterThanOrEqual(64); // the config read: no saver yet
    expect(serve.youngMb).toBeLessThanOrEqual(32); // after settleHeap: the saver's small young generation
    // the operator's explicit flag still wins: settleHeap leaves V8's default alone
    const opted = await child(['--no-memory-saver-mode'], 'serve', true);
    expect(opted.applied).toBe(false);
    expect(opted.youngMb).toBeGreaterThanOrEqual(64);
  });

  it('leaves an older V8 alone (the flag would print "unrecognized flag") and respects an explicit choice', () => {
    expect(preferSmallHeap([], '12.4.254.21-node.33')).toBe(false);
    expect(preferSmallHeap(['--memory-saver-mode'], '13.6.233.10-node.28')).toBe(false);
    expect(preferSmallHeap(['--no-memory_saver_mode'], '13.6.233.10-node.28')).toBe(false);
    // audit runs with V8's default heap: the saver's collections cost a fleet audit 30-45% CPU
    expect(preferSmallHeap([], '13.6.233.10-node.28', 'audit')).toBe(false);
  });
});
