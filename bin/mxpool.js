#!/usr/bin/env node
// The published entry point: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// First the Node version, in syntax any Node parses and with no static import: static imports are
// hoisted, and the CLI's (node:tls getCACertificates, dependencies' own needs) fail on an old Node
// with a SyntaxError stack trace instead of a word on what to do. Then the heap policy (V8's memory
// saver mode: see src/memory-policy.ts), then the CLI.
// NEEDED is package.json's engines.node (a test keeps them equal): mailauth needs 22.19.
var NEEDED = '22.19.0';

function older(found, needed) {
  var a = found.split('.').map(Number);
  var b = needed.split('.').map(Number);
  for (var i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

if (older(process.versions.node, NEEDED)) {
  process.stderr.write('mxpool: needs Node.js >= ' + NEEDED + ', found v' + process.versions.node + ' (' + process.execPath + '); run `npx mxpool` after `npm ci` (it brings Node 24), or install Node.js 24\n');
  process.exitCode = 1;
} else {
  run();
}

function run() {
  import('../dist/src/memory-policy.js')
    .then(function (policy) {
      policy.preferSmallHeap();
      return import('../dist/src/cli.js');
    })
    .then(function (cli) {
      return cli.main(process.argv.slice(2));
    })
    .then(function (code) {
      process.exitCode = code;
    });
}
