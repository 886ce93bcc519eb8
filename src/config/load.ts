// Reads a YAML config (and the tenant files of `tenantsFrom`), validates it against the one schema
// and returns it frozen. Every problem is reported as FILE:LINE:COL: key.path: what was expected —
// all of them, not the first; a problem inside a tenant file names that file and its own key path.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, tenantSchema, type Config } from './schema.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { describeIssue, locate } from './issues.ts';
import { readBounded, readDocument, sortedProblems, type ConfigDocument } from './document.ts';
import { readTenantFiles, type TenantSource } from './tenants-from.ts';

/** A config is a page of YAML; anything far larger is the wrong file. */
const MAX_BYTES = 4 * 1024 * 1024;

/** Reads and validates the config file and its tenant files: the whole frozen config, or ConfigError. */
export function loadConfig(file: string): Config {
  const read = readBounded(file, MAX_BYTES, 'a readable YAML config file');
  if ('problem' in read) throw new ConfigError(file, [read.problem]);
  return parseConfig(read.text, file);
}

export interface ParseOptions {
  /** the folder `tenantsFrom` is relative to; default: the folder of `file` */
  baseDir?: string;
}

/** Validates config text; `file` names it in messages. Throws ConfigError with every problem. */
export function parseConfig(text: string, file = '<config>', options: ParseOptions = {}): Config {
  const main = readDocument(text);
  if (main.empty) {
    throw new ConfigError(file, [{ line: 1, col: 1, path: '', message: 'a config mapping with at least zone: and pools: (the file is empty)' }]);
  }
  if (main.plain === undefined) throw new ConfigError(file, sortedProblems(main.problems));
  const problems = [...main.problems];

  const tenantFiles = tenantsFromFiles(main, options.baseDir ?? (file === '<config>' ? '.' : dirname(file)), problems);
  const plain = withTenants(main.plain, tenantFiles);
  const inline = inlineTenantCount(main.plain);

  const result = configSchema.safeParse(plain, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...describe(issue, main, tenantFiles, inline));
  }
  const fileOrder = new Map(tenantFiles.map((source, index) => [source.file, index]));
  if (problems.length > 0 || !result.success) throw new ConfigError(file, sortedProblems(problems, fileOrder));
  return deepFreeze(result.data as Config);
}

/** The tenant files named by tenantsFrom (none when it is absent or not text: the schema says why). */
function tenantsFromFiles(main: ConfigDocument, baseDir: string, problems: ConfigProblem[]): TenantSource[] {
  const folder = (main.plain as { tenantsFrom?: unknown } | null)?.tenantsFrom;
  if (typeof folder !== 'string' || folder === '') return [];
  // relative to the config file's folder; an absolute path (/etc/mxpool/tenants.d) as it is
  const read = readTenantFiles(isAbsolute(folder) ? folder : join(baseDir, folder));
  if (read.folderProblem) problems.push({ ...locate(main.doc, ['tenantsFrom'], main.at), path: 'tenantsFrom', message: read.folderProblem });
  problems.push(...read.problems);
  return read.sources;
}

/** The config with the tenant files appended to tenants: (left alone when tenants: is not a list). */
function withTenants(plain: unknown, sources: TenantSource[]): unknown {
  if (sources.length === 0 || plain === null || typeof plain !== 'object' || Array.isArray(plain)) return plain;
  const inline = (plain as { tenants?: unknown }).tenants;
  if (inline !== undefined && !Array.isArray(inline)) return plain;
  return { ...plain, tenants: [...((inline as unknown[] | undefined) ?? []), ...sources.map((source) => source.plain ?? null)] };
}

function inlineTenantCount(plain: unknown): number {
  const inline = (plain as { tenants?: unknown } | null)?.tenants;
  return Array.isArray(inline) ? inline.length : 0;
}

/** A zod issue as problems: in the config file, or — for a tenant from a file — in that file. */
function describe(issue: z.core.$ZodIssue, main: ConfigDocument, sources: TenantSource[], inline: number): ConfigProblem[] {
  const [first, index] = issue.path;
  const source = first === 'tenants' && typeof index === 'number' && index >= inline ? sources[index - inline] : undefined;
  // messages of the cross-field rules name other tenants as tenants.N: name the file instead
  const named = (problem: ConfigProblem): ConfigProblem => ({
    ...problem,
    message: problem.message.replace(/\btenants\.(\d+)\b/g, (text, n: string) => sources[Number(n) - inline]?.file ?? text),
  });
  if (!source) return describeIssue(issue, main.doc, main.at, configSchema).filter((problem) => !main.secretPaths.has(problem.path)).map(named);
  // a file that did not parse already has its problems; the schema would only guess at its tree
  if (source.plain === undefined) return [];
  const local = { ...issue, path: issue.path.slice(2) } as z.core.$ZodIssue;
  const document = source.document();
  if (!document) return [{ line: 1, col: 1, path: local.path.join('.'), message: local.message, file: source.file }];
  return describeIssue(local, document.doc, document.at, tenantSchema)
    .filter((problem) => !source.secretPaths.has(problem.path))
    .map((problem) => ({ ...named(problem), file: source.file }));
}

/**
 * Where a dotted key path (`probe.caFile`, `pools.0.hosts.1.address`) is written in a config file,
 * for mistakes only found when the config is used (an unreadable CA file, an unset token variable):
 * they are reported as FILE:LINE:COL like the ones `validate` finds. Undefined when the file can no
 * longer be read or parsed.
 */
export function keyPosition(file: string, keyPath: string): { line: number; col: number } | undefined {
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter, uniqueKeys: false, logLevel: 'silent', merge: true });
    if (doc.errors.length > 0) return undefined;
    const path = keyPath.split('.').map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    return locate(doc, path, (offset) => {
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, col: pos.col };
    });
  } catch {
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
