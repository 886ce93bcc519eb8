// Reads a YAML config, validates it against the one schema and returns it frozen.
// Every problem is reported as FILE:LINE:COL: key.path: what was expected — all of them, not the first.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';

/** Keys that would hold a secret inline; mxpool only takes secrets by environment variable name. */
const SECRET_KEYS = new Set(['token', 'apitoken', 'apikey', 'password', 'secret', 'secretaccesskey', 'accesskeyid', 'sessiontoken', 'key_secret']);

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? String(error)})`;
    throw new ConfigError(file, [{ line: 1, col: 1, path: '', message: `a readable YAML config file: ${what}` }]);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file = '<config>'): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const problems: ConfigProblem[] = [];
  for (const error of doc.errors) {
    problems.push({ ...at(error.pos[0]), path: '', message: `valid YAML: ${error.message.split('\n')[0]}` });
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    throw new ConfigError(file, [{ line: 1, col: 1, path: '', message: 'a config mapping with at least zone: and pools: (the file is empty)' }]);
  }
  problems.push(...findInlineSecrets(doc, at));
  const result = configSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, doc, at)));
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ConfigError(file, problems);
  }
  return deepFreeze(result.data as Config);
}

type At = (offset: number) => { line: number; col: number };

function describeIssue(issue: z.core.$ZodIssue, doc: Document, at: At): ConfigProblem[] {
  const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyNode = findKeyNode(doc, path, key);
      const where = keyNode?.range ? at(keyNode.range[0]) : locate(doc, path, at);
      return { ...where, path: [...path, key].join('.'), message: `a known key (${key} is not one; check the spelling)` };
    });
  }
  const node = doc.getIn(path, true) as Node | undefined;
  let message = issue.message;
  if (node === undefined && issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
    message = `${message} (the key is missing)`;
  }
  return [{ ...locate(doc, path, at), path: path.join('.'), message }];
}

/** Position of the deepest node that exists along `path` (a missing key points at its parent). */
function locate(doc: Document, path: (string | number)[], at: At): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : (doc.getIn(path.slice(0, depth), true) as Node | undefined);
    if (node && (node as Node).range) return at((node as Node).range![0]);
  }
  return { line: 1, col: 1 };
}

function findKeyNode(doc: Document, path: (string | number)[], key: string): Node | undefined {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function findInlineSecrets(doc: Document, at: At): ConfigProblem[] {
  const found: ConfigProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (SECRET_KEYS.has(key.toLowerCase()) && isScalar(pair.value)) {
          found.push({
            ...at(pair.key.range?.[0] ?? 0),
            path: [...path, key].join('.'),
            message: `no secret in the config file: put it in an environment variable and name it with ${key.replace(/^(api)?/i, '').toLowerCase() === 'token' ? 'tokenEnv' : `${key}Env`} (or the SDK's usual credential chain)`,
          });
        }
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    }
  };
  walk(doc.contents, []);
  return found;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
