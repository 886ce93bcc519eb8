// Reads a YAML config, validates it against the one schema and returns it frozen.
// Every problem is reported as FILE:LINE:COL: key.path: what was expected — all of them, not the first.
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, isScalar, type Document, type YAMLError } from 'yaml';
import { configSchema, type Config } from './schema.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { checkTree, pathAtOffset, type At } from './yaml-checks.ts';
import { describeIssue, locate } from './issues.ts';

/** A config is a page of YAML; anything far larger is the wrong file. */
const MAX_BYTES = 4 * 1024 * 1024;

export function loadConfig(file: string): Config {
  const unreadable = (what: string) => new ConfigError(file, [{ line: 1, col: 1, path: '', message: `a readable YAML config file (${what})` }]);
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw unreadable('this is a directory');
    if (stat.size > MAX_BYTES) throw unreadable(`${stat.size} bytes is far too large for a config; at most ${MAX_BYTES}`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw unreadable('the file does not exist');
    if (code === 'EACCES' || code === 'EPERM') throw unreadable('permission denied');
    if (code === 'ENOTDIR') throw unreadable('a part of the path is a file, not a directory');
    throw unreadable(`it cannot be read: ${code ?? String(error)}`);
  }
  return parseConfig(text, file);
}

/** Validates config text; `file` only names it in messages. Throws ConfigError with every problem. */
export function parseConfig(text: string, file = '<config>'): Config {
  const lineCounter = new LineCounter();
  // uniqueKeys off: duplicate keys are found by checkTree, which can name their key path.
  // logLevel 'error': keep syntax errors, drop the yaml package's console warnings.
  // merge: '<<: *anchor' merge keys, which operators use to share host settings.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error', merge: true });
  const at: At = (offset) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const syntax = doc.errors.map((error) => syntaxProblem(error, doc, at));
  // After a syntax error the tree is a guess; checking it against the schema would only add noise.
  // One error per line: the yaml parser often reports the same slip twice.
  if (syntax.length > 0) throw new ConfigError(file, sorted(syntax).filter((p, i, all) => i === 0 || all[i - 1]!.line !== p.line));
  if (isEmpty(doc)) {
    throw new ConfigError(file, [{ line: 1, col: 1, path: '', message: 'a config mapping with at least zone: and pools: (the file is empty)' }]);
  }

  const tree = checkTree(doc, at);
  const problems = [...tree.problems];
  if (tree.unresolvedAliases > 0) throw new ConfigError(file, sorted(problems));
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias bomb (more than maxAliasCount expansions)
    problems.push({ line: 1, col: 1, path: '', message: `YAML that expands to a config (${error instanceof Error ? error.message : String(error)})` });
    throw new ConfigError(file, sorted(problems));
  }
  const result = configSchema.safeParse(plain, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      for (const problem of describeIssue(issue, doc, at, configSchema)) {
        if (!tree.secretPaths.has(problem.path)) problems.push(problem);
      }
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(file, sorted(problems));
  return deepFreeze(result.data as Config);
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

function syntaxProblem(error: YAMLError, doc: Document, at: At): ConfigProblem {
  const where = at(error.pos[0]);
  // The key path around a syntax error is a guess from a half-parsed tree: keep it only up to the
  // first segment that cannot be a real key (the parser glues text across lines into one "key").
  const guessed = pathAtOffset(doc, error.pos[0]);
  const sane = guessed.findIndex((segment) => typeof segment === 'string' && /[\s:]/.test(segment));
  const path = (sane === -1 ? guessed : guessed.slice(0, sane)).join('.');
  const first = error.message.split('\n')[0] ?? error.message;
  switch (error.code) {
    case 'MULTIPLE_DOCS':
      return { ...where, path: '', message: 'one YAML document (a second one starts here after ---)' };
    case 'MULTILINE_IMPLICIT_KEY': {
      const end = at(error.pos[1]);
      return { ...where, path, message: `valid YAML: a key on one line (the text from here to line ${end.line} reads as one key: a missing colon, or a line indented too far?)` };
    }
    case 'BLOCK_AS_IMPLICIT_KEY':
      return { ...where, path, message: 'valid YAML: a plain value after the colon, or a nested mapping starting on the next line (is a line below indented too far?)' };
    case 'TAB_AS_INDENT':
      return { ...where, path, message: 'valid YAML: indentation with spaces (a tab is not allowed)' };
    default:
      return { ...where, path, message: `valid YAML: ${first}` };
  }
}

function isEmpty(doc: Document): boolean {
  const contents = doc.contents;
  return contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''));
}

/** In file order, each problem once. */
function sorted(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = `${p.line}:${p.col}:${p.path}:${p.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
