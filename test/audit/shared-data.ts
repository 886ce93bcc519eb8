// The shared conformance data lives beside the repository (CI clones it as ../shared). Loading
// fails loudly when it is missing: a conformance suite that silently skips proves nothing.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';

export const SHARED_DATA = new URL('../../../shared/data/', import.meta.url);

export function sharedDataPath(relative: string): string {
  const path = fileURLToPath(new URL(relative, SHARED_DATA));
  if (!existsSync(path)) {
    throw new Error(`conformance data missing: ${path} (expected the shared/ folder beside the repository, ${fileURLToPath(SHARED_DATA)})`);
  }
  return path;
}

export function loadYamlDocuments(relative: string): unknown[] {
  return parseAllDocuments(readFileSync(sharedDataPath(relative), 'utf8')).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}

export function loadYaml(relative: string): unknown {
  return parse(readFileSync(sharedDataPath(relative), 'utf8')) as unknown;
}
