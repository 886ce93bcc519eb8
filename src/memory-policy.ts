// The process's V8 heap policy, applied by the CLI entry points (bin/mxpool.js, src/cli.ts run
// directly) before any work — never by code that tests or other programs import.
//
// Why: a probe round over thousands of hosts allocates fast (sockets, TLS state, replies) but keeps
// little (20-35 MB live at 10,000 hosts). With V8's default sizing, Node on x64 lets the young
// generation grow to 128 MB and the old generation to about four times what was live, so such a
// round peaked at 300-390 MB RSS. V8's memory saver mode keeps both small — 140-165 MB for the same
// round — for about 40% more CPU time in the round (bench/probe/README.md has the figures). It is
// read at run time, so it can be set here, in-process, with no restart.
// Opt out (speed over memory): `node --no-memory-saver-mode "$(command -v mxpool)" ...`.
//
// `serve` turns it on once its config is read and its modules loaded (`settleHeap`), not at once:
// reading 10,000 tenant files makes ~40 MB of text and its parse, garbage the saver's small young
// generation collects in hundreds of scavenges. Measured interleaved at 10,000 tenant zones: start
// 6.4-7.4 s with the saver from the first instruction, 5.6-6.1 s from after the config (peak RSS
// 255-264 -> 312-319 MB, below what the QPS runs reach; bench/zones/README.md). Later still (after
// the tenant zones are built) starts in 4 s but peaks at 355-390 MB, too near the 400 MB goal.
// The cost: a 10,000-host config (one YAML file) peaks at 285-294 MB while it is read, where the
// saver kept serve under 216 MB; the collection in settleHeap brings it to ~120 MB at once.
//
// Not for `audit`: a fleet audit allocates per DNS question (messages, answers, promises) and keeps
// little, and the memory saver's extra collections cost it 30-45% more CPU (1,000 domains: 2.5 s
// of CPU instead of 0.9-1.7 s) to save about 30 MB (130 instead of 160 MB peak); see bench/fleet.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Commands that run with V8's default heap sizing: short CPU-bound runs whose peak heap is small anyway. */
export const DEFAULT_HEAP_COMMANDS: readonly string[] = ['audit'];

/** V8 13 (Node 24) has the flag; older V8 would print "unrecognized flag", so it is left alone there. */
const FLAG_SINCE_V8_MAJOR = 13;

/** Commands that read their input with V8's default sizing and call `settleHeap` once it is read. */
export const SETTLE_LATER_COMMANDS: readonly string[] = ['serve'];

/** preferSmallHeap chose the saver for a command that turns it on itself (settleHeap) */
let settleLater = false;

/** true: the memory saver is (or, for a SETTLE_LATER command, will be) on. */
export function preferSmallHeap(execArgv: readonly string[] = process.execArgv, v8Version: string = process.versions.v8, command: string | undefined = process.argv[2]): boolean {
  if (Number.parseInt(v8Version, 10) < FLAG_SINCE_V8_MAJOR) return false;
  if (command !== undefined && DEFAULT_HEAP_COMMANDS.includes(command)) return false;
  // the operator's own choice on the node command line wins
  if (execArgv.some((flag) => /^--(no-)?memory[-_]saver[-_]mode/.test(flag))) return false;
  if (command !== undefined && SETTLE_LATER_COMMANDS.includes(command)) settleLater = true;
  else setFlagsFromString('--memory-saver-mode');
  return true;
}

/**
 * For a SETTLE_LATER command, once its input is read: the memory saver from now on. A full,
 * memory-reducing collection right away makes V8 size the heap by the saver's rules from this point
 * (the flag alone is picked up at a later collection, sometimes only after the zones are built) and
 * returns the reading's garbage to the system. Does nothing unless preferSmallHeap deferred the
 * saver (tests, embedders).
 */
export function settleHeap(): void {
  if (!settleLater) return;
  settleLater = false;
  setFlagsFromString('--memory-saver-mode');
  // `gc` exists only in contexts made while --expose-gc is set: this one, not the program's own
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as (options: object) => void;
  setFlagsFromString('--no-expose-gc');
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
