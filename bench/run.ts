// `npm run bench [name...]`: runs each benchmark in bench/<name>/run.ts one after the other
// (never in parallel: they measure CPU-bound work on a 2-core machine) and prints their figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir).filter((name) => statSync(join(benchDir, name)).isDirectory() && existsSync(join(benchDir, name, 'run.ts')));
const wanted = process.argv.slice(2);
const chosen = wanted.length > 0 ? wanted : available;
let failed = 0;
for (const name of chosen) {
  if (!available.includes(name)) {
    process.stderr.write(`bench: no benchmark named ${name} (have: ${available.join(', ')})\n`);
    failed++;
    continue;
  }
  process.stdout.write(`\n=== bench/${name} ===\n`);
  const run = spawnSync(process.execPath, [join(benchDir, name, 'run.ts')], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
