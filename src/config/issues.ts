// Turns zod issues into FILE:LINE:COL problems: finds the YAML node each issue is about, says what was
// given when that helps ("got the string "thirty""), and for an unknown key names the keys that
// are allowed there (with a "did you mean" for a likely typo).
import { isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from '../errors.ts';
import type { At, Path } from './yaml-checks.ts';

export function describeIssue(issue: z.core.$ZodIssue, doc: Document, at: At, root: z.ZodType): ConfigProblem[] {
  const path: Path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(root, path);
    return issue.keys.flatMap((key) => {
      const keyNode = findKeyNode(doc, path, key);
      // no plain key node: a list or mapping used as a key, which checkTree already reports
      if (!keyNode?.range) return [];
      return [{ ...at(keyNode.range[0]), path: [...path, key].join('.'), message: unknownKeyMessage(key, known) }];
    });
  }
  const node = doc.getIn(path, true) as Node | undefined;
  let message = issue.message;
  const input = (issue as { input?: unknown }).input;
  const crossField = issue.code === 'custom' && (issue as { params?: { crossField?: boolean } }).params?.crossField === true;
  // never echo what was written under a key that names a secret's variable: it may be the secret
  const mayBeSecret = /Env$/.test(String(path[path.length - 1] ?? ''));
  if (!crossField && !mayBeSecret) {
    if (node === undefined && input === undefined) message = `${message} (the key is missing)`;
    else if (input !== undefined) message = `${message} (got ${describeValue(input)})`;
  }
  // `key:` with nothing after it: point at the key, not at the end of the line
  const emptyValue = isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
  const keyNode = emptyValue && path.length > 0 ? findKeyNode(doc, path.slice(0, -1), String(path[path.length - 1])) : undefined;
  const where = keyNode?.range ? at(keyNode.range[0]) : locate(doc, path, at);
  return [{ ...where, path: path.join('.'), message }];
}

function unknownKeyMessage(key: string, known: string[]): string {
  if (known.length === 0) return `a known key (${key} is not one)`;
  const close = known.filter((candidate) => editDistance(candidate.toLowerCase(), key.toLowerCase()) <= 2);
  if (close.length > 0) return `a known key (${key} is not one; did you mean ${close.join(' or ')}?)`;
  return `a known key (${key} is not one; allowed here: ${known.join(', ')})`;
}

/** How a value looks in a message: the string "thirty", the number 5, a list, a mapping, nothing. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value === 'number' ? 'the number' : ''} ${value}`.trim();
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** Position of the deepest node that exists along `path` (a missing key points at its parent). */
export function locate(doc: Document, path: Path, at: At): { line: number; col: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : (doc.getIn(path.slice(0, depth), true) as Node | undefined);
    if (node && (node as Node).range) return at((node as Node).range![0]);
  }
  return { line: 1, col: 1 };
}

function findKeyNode(doc: Document, path: Path, key: string): Node | undefined {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The keys an object schema allows at `path`, found by walking through wrappers and arrays. */
export function knownKeysAt(root: z.ZodType, path: Path): string[] {
  let schema: z.ZodType | undefined = root;
  let remaining = [...path];
  for (let guard = 0; schema && guard < 100; guard++) {
    const def = defOf(schema);
    if (def.innerType) schema = def.innerType;
    else if (def.type === 'pipe' && def.in) schema = def.in;
    else if (def.type === 'array' && typeof remaining[0] === 'number') {
      schema = def.element;
      remaining = remaining.slice(1);
    } else if (def.type === 'object' && def.shape) {
      if (remaining.length === 0) return Object.keys(def.shape);
      schema = def.shape[String(remaining[0])];
      remaining = remaining.slice(1);
    } else return [];
  }
  return [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}
