// One YAML file read as a config document: syntax errors, the tree checks of yaml-checks.ts and the
// conversion to plain values, every problem at its LINE:COL. Used for the config file itself and for
// each tenant file of `tenantsFrom` (src/config/tenants-from.ts).
import { readFileSync, statSync, type Stats } from 'node:fs';
import { LineCounter, parseDocument, isScalar, type Document, type YAMLError } from 'yaml';
import type { ConfigProblem } from '../errors.ts';
import { checkTree, pathAtOffset, type At } from './yaml-checks.ts';

export interface ConfigDocument {
  doc: Document;
  at: At;
  /** syntax and tree problems, in file order */
  problems: ConfigProblem[];
  /** the plain values; undefined when the tree could not be trusted (syntax error, bad alias, empty) */
  plain?: unknown;
  /** dotted paths of inline secrets (the schema's "unknown key" for them would only repeat the news) */
  secretPaths: Set<string>;
  /** true when the document holds nothing at all */
  empty: boolean;
}

/**
 * Reads a file of at most `maxBytes`; a missing, unreadable or oversized file is one problem at 1:1
 * saying what was expected (`what`, e.g. "a readable YAML config file"). `stat`: the file's, when
 * the caller has just taken it.
 */
export function readBounded(file: string, maxBytes: number, what: string, stat?: Stats): { text: string } | { problem: ConfigProblem } {
  const unreadable = (why: string) => ({ problem: { line: 1, col: 1, path: '', message: `${what} (${why})` } });
  try {
    // `stat`: taken just before by the caller (a tenant file's signature), not taken twice
    stat ??= statSync(file);
    if (stat.isDirectory()) return unreadable('this is a directory');
    if (stat.size > maxBytes) return unreadable(`${stat.size} bytes is far too large; at most ${maxBytes}`);
    return { text: readFileSync(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return unreadable('the file does not exist');
    if (code === 'EACCES' || code === 'EPERM') return unreadable('permission denied');
    if (code === 'ENOTDIR') return unreadable('a part of the path is a file, not a directory');
    return unreadable(`it cannot be read: ${code ?? String(error)}`);
  }
}

export function readDocument(text: string): ConfigDocument {
  const lineCounter = new LineCounter();
  // uniqueKeys off: duplicate keys are found by checkTree, which can name their key path.
  // logLevel 'error': keep syntax errors, drop the yaml package's console warnings.
  // merge: '<<: *anchor' merge keys, which operators use to share host settings.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error', merge: true });
  const at: At = (offset) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const result: ConfigDocument = { doc, at, problems: [], secretPaths: new Set(), empty: false };
  const syntax = doc.errors.map((error) => syntaxProblem(error, doc, at));
  // After a syntax error the tree is a guess; checking it against the schema would only add noise.
  // One error per line: the yaml parser often reports the same slip twice.
  if (syntax.length > 0) {
    result.problems = sortedProblems(syntax).filter((p, i, all) => i === 0 || all[i - 1]!.line !== p.line);
    return result;
  }
  if (isEmpty(doc)) {
    result.empty = true;
    return result;
  }
  const tree = checkTree(doc, at);
  result.problems = [...tree.problems];
  result.secretPaths = tree.secretPaths;
  if (tree.unresolvedAliases > 0) return result;
  try {
    result.plain = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias bomb (more than maxAliasCount expansions)
    result.problems.push({ line: 1, col: 1, path: '', message: `YAML that expands to a config (${error instanceof Error ? error.message : String(error)})` });
  }
  return result;
}

/** In file order (files in the order given, the config file first), each problem once. */
export function sortedProblems(problems: ConfigProblem[], fileOrder: ReadonlyMap<string, number> = new Map()): ConfigProblem[] {
  const seen = new Set<string>();
  const rank = (p: ConfigProblem) => (p.file === undefined ? -1 : (fileOrder.get(p.file) ?? Number.MAX_SAFE_INTEGER));
  return problems
    .filter((p) => {
      const key = `${p.file ?? ''}:${p.line}:${p.col}:${p.path}:${p.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort((a, b) => rank(a) - rank(b) || (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line || a.col - b.col);
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
