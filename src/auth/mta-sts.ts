// MTA-STS (RFC 8461), pure: the policy mxpool serves, its id, the TXT record that announces it, and
// the reading side (a fetched policy parsed, MX names matched against its patterns) for the audit.
// The policy is about names, not health: every inbound host and inbound pool hostname is listed,
// healthy or not, so withdrawing and restoring a host never changes the policy (or its id).
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.ts';

export const POLICY_PATH = '/.well-known/mta-sts.txt';

/** RFC 8461 3.3: senders SHOULD refuse policies over 64 KiB; we never read more. */
export const MAX_POLICY_OCTETS = 64 * 1024;

export type StsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  mode: StsMode;
  /** the exact text served: CRLF line endings (RFC 8461 3.2) */
  text: string;
  /** 32 hex digits of SHA-256 over the text: changes exactly when the text does */
  id: string;
  /** the names in `mx:` lines, sorted */
  names: string[];
  maxAgeSeconds: number;
}

/** The names the policy covers: every inbound host and inbound pool hostname. */
export function policyNames(config: Pick<Config, 'pools'>): string[] {
  const names = new Set<string>();
  for (const pool of config.pools) {
    if (pool.role !== 'inbound') continue;
    if (pool.hostname) names.add(pool.hostname);
    for (const host of pool.hosts) names.add(host.name);
  }
  return [...names].sort();
}

export function mtaStsPolicy(config: Pick<Config, 'pools' | 'auth'>): MtaStsPolicy | undefined {
  const sts = config.auth.mtaSts;
  if (!sts) return undefined;
  const names = policyNames(config);
  const maxAgeSeconds = Math.floor(sts.maxAge / 1000);
  const lines = ['version: STSv1', `mode: ${sts.mode}`, ...names.map((name) => `mx: ${name}`), `max_age: ${maxAgeSeconds}`];
  const text = `${lines.join('\r\n')}\r\n`;
  return { mode: sts.mode, text, id: policyId(text), names, maxAgeSeconds };
}

/** RFC 8461 3.1: 1-32 alphanumerics. A digest of the text, so the same text always has the same id. */
export function policyId(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}

export function stsRecordText(id: string): string {
  return `v=STSv1; id=${id}`;
}

// ------------------------------------------------------------------ reading (audit)

export interface ParsedStsRecord {
  id: string;
}

/** The `_mta-sts` TXT record (RFC 8461 3.1): `v=STSv1; id=...`; a reason when it is not valid. */
export function parseStsRecord(text: string): ParsedStsRecord | { problem: string } {
  const fields = text.split(';').map((field) => field.trim()).filter((field) => field !== '');
  if (fields[0] !== 'v=STSv1') return { problem: 'does not start with v=STSv1' };
  const id = fields.find((field) => field.startsWith('id='))?.slice(3);
  if (id === undefined) return { problem: 'has no id= field' };
  if (!/^[A-Za-z0-9]{1,32}$/.test(id)) return { problem: `id "${id}" is not 1-32 letters and digits` };
  return { id };
}

export interface ParsedPolicy {
  mode: StsMode;
  mx: string[];
  maxAgeSeconds: number;
}

/** A policy body (RFC 8461 3.2): CRLF or LF lines of `key: value`; a reason when it is not valid. */
export function parsePolicy(text: string): ParsedPolicy | { problem: string } {
  const fields = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const match = /^([A-Za-z0-9_]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!match) return { problem: `a line that is not "key: value": ${JSON.stringify(line.slice(0, 80))}` };
    const key = (match[1] as string).toLowerCase();
    fields.set(key, [...(fields.get(key) ?? []), match[2] as string]);
  }
  if (fields.get('version')?.[0] !== 'STSv1') return { problem: 'no "version: STSv1" line' };
  const mode = fields.get('mode')?.[0];
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { problem: `mode is ${mode === undefined ? 'missing' : `"${mode}"`}, expected enforce, testing or none` };
  const maxAge = fields.get('max_age')?.[0];
  if (maxAge === undefined || !/^\d{1,10}$/.test(maxAge) || Number(maxAge) > 31_557_600) return { problem: `max_age is ${maxAge === undefined ? 'missing' : `"${maxAge}"`}, expected 0..31557600 seconds` };
  const mx = (fields.get('mx') ?? []).map((pattern) => pattern.toLowerCase().replace(/\.$/, ''));
  if (mode !== 'none' && mx.length === 0) return { problem: `mode ${mode} without any mx: line` };
  return { mode, mx, maxAgeSeconds: Number(maxAge) };
}

/** RFC 8461 4.1: an MX host matches a pattern exactly, or `*.example.com` matches one leftmost label. */
export function mxMatches(host: string, pattern: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!pattern.startsWith('*.')) return name === pattern;
  const suffix = pattern.slice(1);
  return name.endsWith(suffix) && !name.slice(0, -suffix.length).includes('.') && name.length > suffix.length;
}

export function coveredBy(host: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => mxMatches(host, pattern));
}
