// The runtime dependencies are exactly what the runtime imports: every package that src/, providers/
// or bin/ imports is in `dependencies` (smtp-server excepted: demo only, loaded lazily), every
// `dependencies` entry is imported, and the README's Dependencies table names each one.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|js|mjs)$/.test(entry) ? [path] : [];
  });
}

/** package name of every bare import, dynamic import and require in a file */
function importsOf(text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'(@?[a-z0-9][\w./@-]*)'/gm)].map((m) => m[1] as string);
  return specifiers.filter((s) => !s.startsWith('node:') && !s.startsWith('/')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string)));
}

const runtime = new Map<string, string[]>();
for (const file of [...files('src'), ...files('providers'), ...files('bin')]) {
  for (const name of importsOf(readFileSync(file, 'utf8'))) runtime.set(name, [...(runtime.get(name) ?? []), file]);
}

// devDependencies a runtime file may load, each for one command only and lazily
const LAZY_DEV = { 'smtp-server': 'src/demo/smtp.ts' };

describe('runtime dependencies', () => {
  it('finds the imports it checks (the scan works)', () => {
    expect([...runtime.keys()]).toEqual(expect.arrayContaining(['commander', 'pino', 'zod', 'yaml', 'smtp-server']));
  });

  it('every package the runtime imports is a runtime dependency', () => {
    const missing = [...runtime.entries()].filter(([name]) => !(name in pkg.dependencies) && !(name in LAZY_DEV));
    expect(missing).toEqual([]);
  });

  it('smtp-server is imported only by the demo host, and that only lazily', () => {
    expect(runtime.get('smtp-server')).toEqual([LAZY_DEV['smtp-server']]);
    expect(pkg.devDependencies['smtp-server']).toBeDefined();
    const importers = [...files('src'), ...files('providers')].filter((file) => /demo\/smtp\.ts'/.test(readFileSync(file, 'utf8')));
    for (const file of importers) expect(readFileSync(file, 'utf8'), file).not.toMatch(/^import (?!type ).*demo\/smtp\.ts'/m); // a type import is erased
  });

  it('every runtime dependency is imported (dns2 is a devDependency: only tests and benchmarks use it)', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !runtime.has(name))).toEqual([]);
    expect(runtime.has('dns2')).toBe(false);
    expect(pkg.devDependencies.dns2).toBeDefined();
  });

  it('the README lists each runtime dependency with its role', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Dependencies'), readme.indexOf('\n## ', readme.indexOf('## Dependencies') + 1));
    for (const name of Object.keys(pkg.dependencies)) expect(section, name).toMatch(new RegExp(`^\\| [^|]*\`${name.replace(/[/@-]/g, '\\$&')}\``, 'm'));
  });
});
