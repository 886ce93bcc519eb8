// Checks on the YAML tree itself, before the schema sees plain values: keys given twice (the yaml
// package would keep only the last one), keys that are not plain text, and secrets written inline.
// Also: which key path holds a given offset, so a YAML syntax error can name its key.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { ConfigProblem } from '../errors.ts';

export type Path = (string | number)[];
export type At = (offset: number) => { line: number; col: number };

/** Keys that would hold a secret inline; mxpool only takes secrets by environment variable name. */
const SECRET_KEYS = new Set([
  'token', 'apitoken', 'api_token', 'apikey', 'api_key', 'password', 'passwd', 'secret', 'secretaccesskey',
  'secret_access_key', 'accesskeyid', 'access_key_id', 'sessiontoken', 'session_token', 'bearer', 'authorization',
]);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

function secretMessage(key: string, path: Path): string {
  const envKey = path[0] === 'nameserver' && path[1] === 'tsig' ? 'secretEnv (base64, as tsig-keygen prints it)' : /token|bearer|authorization/i.test(key) ? 'tokenEnv' : 'the AWS SDK\'s usual credential chain (environment, ~/.aws, instance role)';
  return `no secret in the config file: put it in an environment variable and name that variable with ${envKey}`;
}

export interface TreeFindings {
  problems: ConfigProblem[];
  /** dotted paths of inline secrets: the schema's "unknown key" for them would only repeat the news */
  secretPaths: Set<string>;
  /** converting the tree to values would throw on these */
  unresolvedAliases: number;
}

export function checkTree(doc: Document, at: At): TreeFindings {
  const problems: ConfigProblem[] = [];
  const secretPaths = new Set<string>();
  const walk = (node: unknown, path: Path) => {
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const where = at(keyNode?.range?.[0] ?? 0);
        if (!isScalar(keyNode)) {
          problems.push({ ...where, path: path.join('.'), message: 'a plain key such as zone: (a key that is itself a list or mapping is not one)' });
          continue;
        }
        const key = String(keyNode.value);
        const keyPath = [...path, key].join('.');
        const first = seen.get(key);
        if (first !== undefined) problems.push({ ...where, path: keyPath, message: `a key given once (${key} is already set at line ${first})` });
        else seen.set(key, where.line);
        if (isSecretKey(key) && (isScalar(pair.value) || isAlias(pair.value))) {
          secretPaths.add(keyPath);
          problems.push({ ...where, path: keyPath, message: secretMessage(key, path) });
        }
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    } else if (isAlias(node) && node.resolve(doc) === undefined) {
      unresolvedAliases++;
      problems.push({ ...at(node.range?.[0] ?? 0), path: path.join('.'), message: `an alias to an anchor set above it (*${node.source} has no &${node.source} before it)` });
    }
  };
  let unresolvedAliases = 0;
  walk(doc.contents, []);
  return { problems, secretPaths, unresolvedAliases };
}

/** The key path of the deepest node whose source range holds `offset` (for syntax errors). */
export function pathAtOffset(doc: Document, offset: number): Path {
  let found: Path = [];
  const contains = (node: unknown) => {
    const range = (node as Node | null)?.range;
    return range !== undefined && range !== null && offset >= range[0] && offset <= range[1];
  };
  const walk = (node: unknown, path: Path) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const childPath = [...path, String(pair.key.value)];
        // a key that starts right at the error is where the parser noticed it, not what is wrong
        const atKeyStart = (pair.key as Node).range?.[0] === offset;
        if ((contains(pair.key) && !atKeyStart) || contains(pair.value)) {
          found = childPath;
          walk(pair.value, childPath);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        if (contains(item)) {
          found = [...path, index];
          walk(item, [...path, index]);
        }
      });
    }
  };
  walk(doc.contents, []);
  return found;
}
