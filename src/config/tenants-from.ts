// `tenantsFrom: tenants.d`: a folder next to the config file whose every *.yaml file is one tenant
// mapping (the keys of tenants[]). Each file is read as its own document, so a mistake in it is
// reported at FILE:LINE:COL of that file. Bounded: the number of files, each file's size and the
// total, so a wrong folder (a home directory, a mail spool) fails fast instead of eating memory.
// A file parsed cleanly before and not touched since (same inode, size, mtime and ctime, as git's
// index and make judge it) is not parsed again: a reload of 10,000 tenants with one file edited
// parses one file, not 10,000 (YAML parsing is most of the cost of reading them). Plain files are
// read without the yaml package's tree and positions (plain-yaml.ts), about ten times faster.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import type { ConfigProblem } from '../errors.ts';
import { readBounded, readDocument, type ConfigDocument } from './document.ts';
import { plainYaml } from './plain-yaml.ts';

export const MAX_TENANT_FILES = 50_000;
export const MAX_TENANT_FILE_BYTES = 256 * 1024;
export const MAX_TENANT_TOTAL_BYTES = 256 * 1024 * 1024;

export interface TenantSource {
  /** the file as messages name it: the folder as given, joined to the config file's folder */
  file: string;
  /** the tenant mapping's plain values; undefined when the file did not parse */
  plain: unknown;
  /** dotted paths of inline secrets in the file */
  secretPaths: ReadonlySet<string>;
  /**
   * The parsed document, for positions. Kept only for a file that already has problems; the others
   * are parsed again when the schema finds one (10,000 YAML trees would cost hundreds of MB).
   */
  document(): ConfigDocument | undefined;
}

export interface TenantFiles {
  sources: TenantSource[];
  /** problems inside the files (each names its file) */
  problems: ConfigProblem[];
  /** what is wrong with the folder itself (reported at the tenantsFrom key) */
  folderProblem?: string;
}

interface Parsed {
  signature: string;
  bytes: number;
  plain: unknown;
  secretPaths: ReadonlySet<string>;
}

/** A file changed less than this before it was read is not remembered (see readTenantFiles). */
export const RACY_MS = 100;

/** Files that parsed without a problem, by path (only the folders read in this process). */
const parsedFiles = new Map<string, Parsed>();

function signature(stat: Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/** The earlier parse of `file` when the file has not changed since, else undefined. */
function unchanged(file: string): Parsed | undefined {
  const cached = parsedFiles.get(file);
  if (!cached) return undefined;
  try {
    if (signature(statSync(file)) === cached.signature) return cached;
  } catch {
    // gone or unreadable now: read it the normal way, which says why
  }
  parsedFiles.delete(file);
  return undefined;
}

/** A tenant file: *.yaml or *.yml, not hidden (editors' lock and swap files start with a dot). */
export function isTenantFileName(name: string): boolean {
  return !name.startsWith('.') && /\.ya?ml$/i.test(name);
}

/** Reads every tenant file of `folder` (as messages name it) in name order. */
export function readTenantFiles(folder: string, options: { now?: () => number } = {}): TenantFiles {
  const now = options.now ?? Date.now;
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) return { sources: [], problems: [], folderProblem: `a folder of tenant files (${folder} is a file)` };
    names = readdirSync(folder).filter(isTenantFileName).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read: permission denied' : `cannot be read: ${code ?? String(error)}`;
    return { sources: [], problems: [], folderProblem: `a folder of tenant files (${folder} ${why})` };
  }
  if (names.length > MAX_TENANT_FILES) {
    return { sources: [], problems: [], folderProblem: `a folder of at most ${MAX_TENANT_FILES} tenant files (${folder} holds ${names.length})` };
  }
  const sources: TenantSource[] = [];
  const problems: ConfigProblem[] = [];
  let total = 0;
  const seen = new Set<string>();
  for (const name of names) {
    const file = join(folder, name);
    seen.add(file);
    const cached = unchanged(file);
    if (cached) {
      total += cached.bytes;
      if (total > MAX_TENANT_TOTAL_BYTES) break;
      sources.push({ file, plain: cached.plain, secretPaths: cached.secretPaths, document: () => reread(file) });
      continue;
    }
    const statAt = now();
    const before = statOf(file);
    const read = readBounded(file, MAX_TENANT_FILE_BYTES, 'a readable YAML tenant file', before);
    if ('problem' in read) {
      problems.push({ ...read.problem, file });
      continue;
    }
    const bytes = Buffer.byteLength(read.text);
    total += bytes;
    if (total > MAX_TENANT_TOTAL_BYTES) break;
    const document = readTenant(read.text);
    problems.push(...document.problems.map((problem) => ({ ...problem, file })));
    if (document.empty) problems.push({ line: 1, col: 1, path: '', message: 'a tenant mapping with at least zone: (the file is empty)', file });
    // remembered only when the stat taken before reading still holds (not written meanwhile), and
    // only when the file was last changed a while before that stat ("racy git"): the kernel stamps
    // files from a coarse clock (a few ms), so two writes of the same size within one tick would
    // leave the same signature — a file that recent is parsed again next time instead
    const settled = before !== undefined && Math.max(before.mtimeMs, before.ctimeMs) < statAt - RACY_MS;
    if (document.problems.length === 0 && !document.empty && document.plain !== undefined && settled && before.size === bytes) {
      parsedFiles.set(file, { signature: signature(before), bytes, plain: document.plain, secretPaths: document.secretPaths });
    }
    // a file with problems keeps its tree for their positions (the fast reader takes none such)
    let kept = 'doc' in document && document.problems.length > 0 ? document : undefined;
    sources.push({ file, plain: document.plain, secretPaths: document.secretPaths, document: () => (kept ??= reread(file)) });
  }
  for (const file of parsedFiles.keys()) if (file.startsWith(`${folder}${sep}`) && !seen.has(file)) parsedFiles.delete(file);
  if (total > MAX_TENANT_TOTAL_BYTES) {
    return { sources: [], problems: [], folderProblem: `tenant files of at most ${MAX_TENANT_TOTAL_BYTES} bytes together (${folder} holds more)` };
  }
  return { sources, problems };
}

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A tenant file's values: the fast reader for plain YAML when it can (src/config/plain-yaml.ts),
 * else the yaml package with positions. A file the fast reader takes has no problem to report, and
 * one that the schema then refuses is parsed again with positions (`document()`).
 */
function readTenant(text: string): ConfigDocument | Pick<ConfigDocument, 'problems' | 'plain' | 'secretPaths' | 'empty'> {
  const fast = plainYaml(text);
  return fast ? { problems: [], plain: fast.value, secretPaths: new Set(), empty: false } : readDocument(text);
}

/** The file parsed again for positions (undefined when it can no longer be read). */
function reread(file: string): ConfigDocument | undefined {
  const read = readBounded(file, MAX_TENANT_FILE_BYTES, 'a readable YAML tenant file');
  return 'problem' in read ? undefined : readDocument(read.text);
}
