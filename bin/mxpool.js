#!/usr/bin/env node
// The published entry point: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// First the heap policy (V8's memory saver mode: see src/memory-policy.ts), then the CLI.
import { preferSmallHeap } from '../dist/src/memory-policy.js';

preferSmallHeap();
const { main } = await import('../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));
