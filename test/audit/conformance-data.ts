// The conformance data the audit suites read, kept inside the repository (test/fixtures/conformance,
// with its licences and a README): a fresh clone runs them with nothing beside it. Loading fails
// loudly when a file is missing: a conformance suite that silently skips proves nothing.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';

export const CONFORMANCE_DATA = new URL('../fixtures/conformance/', import.meta.url);

export function conformancePath(relative: string): string {
  const path = fileURLToPath(new URL(relative, CONFORMANCE_DATA));
  if (!existsSync(path)) throw new Error(`conformance data missing: ${path} (see test/fixtures/conformance/README.md)`);
  return path;
}

export function loadYamlDocuments(relative: string): unknown[] {
  return parseAllDocuments(readFileSync(conformancePath(relative), 'utf8')).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}

export function loadYaml(relative: string): unknown {
  return parse(readFileSync(conformancePath(relative), 'utf8')) as unknown;
}
