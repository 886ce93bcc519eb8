// Values in etcd: small JSON for votes, members and operator actions; gzip'd JSON for the agreed
// version and the zones (1,000 hosts of records are ~200 KB of JSON, ~20 KB compressed, well under
// etcd's default 1.5 MiB request limit). Every value is bounded before it is parsed, and inflating
// stops at a bound, so a peer cannot make a node allocate without limit.
import { gunzipSync, gzipSync } from 'node:zlib';

/** Bounds of one value, compressed (as stored) and inflated. */
export const MAX_SMALL_VALUE = 4 * 1024;
export const MAX_STORED_VALUE = 1024 * 1024;
export const MAX_INFLATED_VALUE = 64 * 1024 * 1024;

export class ValueError extends Error {}

export function encodeSmall(value: unknown): string {
  return JSON.stringify(value);
}

export function decodeSmall(bytes: Buffer): unknown {
  if (bytes.length > MAX_SMALL_VALUE) throw new ValueError(`value of ${bytes.length} bytes, over the ${MAX_SMALL_VALUE}-byte bound`);
  return parseJson(bytes.toString('utf8'));
}

export function encodeLarge(value: unknown): Buffer {
  const bytes = gzipSync(JSON.stringify(value), { level: 6 });
  if (bytes.length > MAX_STORED_VALUE) throw new ValueError(`compressed value of ${bytes.length} bytes, over the ${MAX_STORED_VALUE}-byte bound`);
  return bytes;
}

export function decodeLarge(bytes: Buffer): unknown {
  if (bytes.length > MAX_STORED_VALUE) throw new ValueError(`value of ${bytes.length} bytes, over the ${MAX_STORED_VALUE}-byte bound`);
  let text: string;
  try {
    text = gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_VALUE }).toString('utf8');
  } catch (error) {
    throw new ValueError(`not gzip'd JSON within ${MAX_INFLATED_VALUE} bytes (${(error as Error).message})`);
  }
  return parseJson(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValueError(`not JSON: ${JSON.stringify(text.slice(0, 40))}`);
  }
}
