// Record data in presentation form (RFC 1035 section 5.1, RFC 8659 for CAA, RFC 6698 2.2 for TLSA): parse and format every
// RData type mxpool knows. Names in RData are kept lower-case without the trailing dot (model.ts);
// formatted names are absolute (trailing dot) so the text means the same under any $ORIGIN.
import type { RData, RecordType } from '../model.ts';
import { isIPv4, isIPv6 } from 'node:net';
import { absoluteName, fqdn, nameProblem } from './name.ts';

export const MAX_TXT_STRING_OCTETS = 255;

/** One presentation token; `quoted` tells "a b" (one token) from a b (two). */
export interface Token {
  text: string;
  quoted: boolean;
}

export class RDataError extends Error {
  override name = 'RDataError';
}

const EXPECTED: Record<RecordType, string> = {
  A: 'an IPv4 address such as 192.0.2.10',
  AAAA: 'an IPv6 address such as 2001:db8::10',
  CNAME: 'a target name such as host.example.net.',
  NS: 'a name server name such as ns1.example.net.',
  PTR: 'a target name such as host.example.net.',
  MX: '"PREFERENCE EXCHANGE" such as "10 mx.example.net."',
  TXT: 'text, or one or more "quoted strings"',
  SRV: '"PRIORITY WEIGHT PORT TARGET" such as "10 5 5060 sip.example.net."',
  CAA: '"FLAGS TAG VALUE" such as "0 issue \\"letsencrypt.org\\""',
  SOA: '"MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM"',
  TLSA: '"USAGE SELECTOR MATCHING-TYPE HEX" such as "3 1 1 0123...abcd" (64 hex digits for SHA-256)',
};

/** Hex digits a TLSA association of each digest matching type holds (RFC 6698 2.1.3). */
const TLSA_DIGEST_HEX: Record<number, number> = { 1: 64, 2: 128 };

/**
 * Parses a config `records:` value. Relative names are relative to `origin` (master-file rule).
 * A TXT value without any double quote is taken as ONE string (split at 255 octets), which is what
 * `value: v=spf1 -all` in YAML means to a mail administrator; quoted strings follow RFC 1035.
 */
export function parseRData(type: RecordType, text: string, origin: string): RData {
  const trimmed = text.trim();
  if (type === 'TXT' && !trimmed.includes('"')) {
    if (trimmed === '') throw new RDataError(`TXT value: expected ${EXPECTED.TXT}`);
    return { type: 'TXT', strings: splitTxt(unescapeText(trimmed)) };
  }
  return rdataFromTokens(type, tokenize(trimmed), origin);
}

/** Builds RData from presentation tokens (shared with the master-file parser). */
export function rdataFromTokens(type: RecordType, tokens: Token[], origin: string): RData {
  const fail = (why?: string): never => {
    const shown = tokens.map((t) => (t.quoted ? `"${t.text}"` : t.text)).join(' ');
    throw new RDataError(`${type} value "${shown}": expected ${EXPECTED[type]}${why ? ` (${why})` : ''}`);
  };
  const count = (n: number) => {
    if (tokens.length !== n) fail(`${tokens.length} field(s), expected ${n}`);
  };
  const at = (i: number): string => (tokens[i] as Token).text;
  const name = (i: number): string => {
    const resolved = absoluteName(at(i), origin);
    const problem = nameProblem(resolved);
    if (problem !== undefined || /\s/.test(resolved)) fail(problem ?? 'a name has no spaces');
    return resolved;
  };
  const int = (i: number, max: number): number => {
    const value = parseTime(at(i));
    if (value === undefined || value > max) fail(`"${at(i)}" is not a whole number 0..${max}`);
    return value as number;
  };
  switch (type) {
    case 'A':
      count(1);
      if (!isIPv4(at(0))) fail();
      return { type, address: at(0) };
    case 'AAAA':
      count(1);
      if (!isIPv6(at(0))) fail();
      return { type, address: canonicalIPv6(at(0)) };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      count(1);
      return { type, target: name(0) };
    case 'MX':
      count(2);
      return { type, preference: int(0, 65535), exchange: name(1) };
    case 'SRV':
      count(4);
      return { type, priority: int(0, 65535), weight: int(1, 65535), port: int(2, 65535), target: name(3) };
    case 'CAA': {
      if (tokens.length < 3) fail();
      const tag = at(1);
      if (!/^[a-z0-9]{1,15}$/i.test(tag)) fail(`tag "${tag}" must be 1-15 letters or digits`);
      return { type, flags: int(0, 255), tag: tag.toLowerCase(), value: tokens.slice(2).map((t) => t.text).join(' ') };
    }
    case 'TXT': {
      if (tokens.length === 0) fail();
      const strings = tokens.flatMap((t) => splitTxt(t.text));
      return { type, strings };
    }
    case 'TLSA': {
      if (tokens.length < 4) fail(`${tokens.length} field(s), expected 4`);
      // RFC 6698 2.2: the hex may be split by white space
      const data = tokens.slice(3).map((t) => t.text).join('').toLowerCase();
      if (!/^([0-9a-f]{2})+$/.test(data)) fail('the association data is an even number of hex digits');
      const matchingType = int(2, 255);
      const expected = TLSA_DIGEST_HEX[matchingType];
      if (expected !== undefined && data.length !== expected) fail(`matching type ${matchingType} holds ${expected} hex digits, got ${data.length}`);
      return { type, usage: int(0, 255), selector: int(1, 255), matchingType, data };
    }
    case 'SOA':
      count(7);
      return {
        type,
        mname: name(0),
        rname: name(1),
        serial: int(2, 0xffffffff),
        refresh: int(3, 0x7fffffff),
        retry: int(4, 0x7fffffff),
        expire: int(5, 0x7fffffff),
        minimum: int(6, 0x7fffffff),
      };
    default:
      throw new RDataError(`unsupported record type ${String(type)}`);
  }
}

/** Presentation form with absolute names, e.g. `10 mx1.example.com.` or `"v=spf1 -all"`. */
export function formatRData(data: RData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return fqdn(data.target);
    case 'MX':
      return `${data.preference} ${fqdn(data.exchange)}`;
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${fqdn(data.target)}`;
    case 'CAA':
      return `${data.flags} ${data.tag} ${quoteText(data.value)}`;
    case 'TXT':
      return data.strings.map(quoteText).join(' ');
    case 'TLSA':
      return tlsaText(data);
    case 'SOA':
      return `${fqdn(data.mname)} ${fqdn(data.rname)} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
  }
}

/**
 * Field by field equality of two record data (a TXT's strings element by element): what lets a
 * new zone version reuse the work done for an unchanged set (compiled answers, journal records).
 */
export function sameRData(a: RData, b: RData): boolean {
  if (a === b) return true;
  if (a.type !== b.type) return false;
  const left = a as unknown as Record<string, unknown>;
  const right = b as unknown as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  for (const key of keys) {
    const x = left[key];
    const y = right[key];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** `3 1 1 <hex>`: the one presentation of TLSA data (master files, Route 53, Cloudflare, plans). */
export function tlsaText(data: { usage: number; selector: number; matchingType: number; data: string }): string {
  return `${data.usage} ${data.selector} ${data.matchingType} ${data.data}`;
}

/** TLSA data from `3 1 1 <hex>` as providers return it; undefined when it is not valid TLSA. */
export function parseTlsaText(text: string): Extract<RData, { type: 'TLSA' }> | undefined {
  try {
    return rdataFromTokens('TLSA', tokenize(text), '') as Extract<RData, { type: 'TLSA' }>;
  } catch (error) {
    if (error instanceof RDataError) return undefined;
    throw error;
  }
}

/** Splits text into character-strings of at most 255 octets, never inside a UTF-8 sequence. */
export function splitTxt(text: string, limit = MAX_TXT_STRING_OCTETS): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return [text];
  const strings: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && end > start + 1 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    strings.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return strings;
}

/** A character-string in double quotes: `"` and `\` escaped, bytes outside printable ASCII as \DDD. */
export function quoteText(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** Whitespace as /\s/ sees it, without a regex for the usual ASCII (10,000 tenant records are parsed at start-up). */
function isSpace(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(char);
}

/** Appends the UTF-8 bytes of one code point. */
function pushUtf8(bytes: number[], code: number): void {
  if (code < 0x80) bytes.push(code);
  else bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
}

/** Splits presentation text into tokens: whitespace-separated, "quoted strings" kept whole, \X and \DDD decoded. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (isSpace(char)) {
      i++;
      continue;
    }
    const quoted = char === '"';
    if (quoted) i++;
    const bytes: number[] = [];
    let closed = !quoted;
    while (i < text.length) {
      const c = text[i] as string;
      if (quoted && c === '"') {
        closed = true;
        i++;
        break;
      }
      if (!quoted && isSpace(c)) break;
      if (c === '\\') {
        const escaped = readEscape(text, i);
        bytes.push(...escaped.bytes);
        i = escaped.next;
        continue;
      }
      const code = text.codePointAt(i) as number;
      pushUtf8(bytes, code);
      i += code > 0xffff ? 2 : 1;
    }
    if (!closed) throw new RDataError(`unterminated quoted string in ${JSON.stringify(text)}`);
    tokens.push({ text: Buffer.from(bytes).toString('utf8'), quoted });
  }
  return tokens;
}

/** Decodes \X and \DDD in an unquoted value that is taken whole. */
function unescapeText(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\') {
      const escaped = readEscape(text, i);
      bytes.push(...escaped.bytes);
      i = escaped.next;
    } else {
      const code = text.codePointAt(i) as number;
      pushUtf8(bytes, code);
      i += code > 0xffff ? 2 : 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function readEscape(text: string, at: number): { bytes: number[]; next: number } {
  const digits = /^\d{3}/.exec(text.slice(at + 1, at + 4));
  if (digits) {
    const value = Number(digits[0]);
    if (value > 255) throw new RDataError(`escape \\${digits[0]} is over 255`);
    return { bytes: [value], next: at + 4 };
  }
  if (at + 1 >= text.length) throw new RDataError(`a lone backslash at the end of ${JSON.stringify(text)}`);
  const code = text.codePointAt(at + 1) as number;
  return { bytes: [...Buffer.from(String.fromCodePoint(code), 'utf8')], next: at + 1 + (code > 0xffff ? 2 : 1) };
}

/** A number of seconds: plain, or BIND style with units (1h30m, 2d, 1w). */
export function parseTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:\d+[smhdw])+$/i.exec(text);
  if (!match) return undefined;
  const factor: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const part of text.matchAll(/(\d+)([smhdw])/gi)) total += Number(part[1]) * (factor[(part[2] as string).toLowerCase()] as number);
  return total;
}

/** The RFC 5952 form of an IPv6 address (lower case, longest zero run compressed). */
export function canonicalIPv6(address: string): string {
  const bytes = ipv6Bytes(address);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** 16 bytes of an IPv6 address (accepts an embedded IPv4 tail such as ::ffff:192.0.2.1). */
export function ipv6Bytes(address: string): Uint8Array {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const headGroups = groupsOf(head);
  const restGroups = rest === undefined ? [] : groupsOf(rest);
  const zeros = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...new Array<number>(Math.max(zeros, 0)).fill(0), ...restGroups];
  const out = new Uint8Array(16);
  groups.slice(0, 8).forEach((g, i) => {
    out[i * 2] = (g >> 8) & 0xff;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
