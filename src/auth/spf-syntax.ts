// RFC 7208 section 12 grammar: parses an SPF record into terms, or says where the syntax breaks.
// Positions are 1-based columns into the record text, so a finding can point at the error.
import { isIP } from 'node:net';

export type Qualifier = '+' | '-' | '~' | '?';
export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export interface Mechanism {
  kind: 'mechanism';
  qualifier: Qualifier;
  /** true when the qualifier was written out (`+all` vs `all`) */
  explicitQualifier: boolean;
  name: MechanismName;
  /** include/exists/a/mx/ptr target, macros unexpanded */
  domainSpec?: string;
  /** ip4/ip6 network */
  network?: string;
  cidr4?: number;
  cidr6?: number;
  text: string;
  column: number;
}

export interface Modifier {
  kind: 'modifier';
  name: string;
  value: string;
  text: string;
  column: number;
}

export type Term = Mechanism | Modifier;

export type SpfParse =
  | { ok: true; terms: Term[] }
  | { ok: false; column: number; message: string; terms: Term[] };

const MECHANISMS = new Set<string>(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
const MACRO_EXPAND = /%\{[slodiphcrtv]\d*r?[.\-+,/_=]*\}|%%|%_|%-/gi;
const TOPLABEL = /^(?=.*[a-z])[a-z0-9]+$|^[a-z0-9][a-z0-9-]*[a-z0-9]$/i;

/** True when the text is an SPF record at all (RFC 7208 4.5: "v=spf1" then a space or the end). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

export function parseSpf(record: string): SpfParse {
  const terms: Term[] = [];
  if (!isSpfRecord(record)) return { ok: false, column: 1, message: 'does not start with "v=spf1"', terms };
  let position = 6;
  while (position < record.length) {
    if (record[position] !== ' ') return { ok: false, column: position + 1, message: `unexpected character "${record[position]}" (terms are separated by spaces)`, terms };
    while (record[position] === ' ') position++;
    if (position >= record.length) break;
    let end = record.indexOf(' ', position);
    if (end < 0) end = record.length;
    const text = record.slice(position, end);
    const parsed = parseTerm(text, position + 1);
    if ('message' in parsed) return { ok: false, column: parsed.column, message: parsed.message, terms };
    terms.push(parsed);
    position = end;
  }
  for (const name of ['redirect', 'exp']) {
    const repeated = terms.filter((t) => t.kind === 'modifier' && t.name === name);
    if (repeated.length > 1) return { ok: false, column: (repeated[1] as Term).column, message: `"${name}=" appears more than once (RFC 7208 6)`, terms };
  }
  return { ok: true, terms };
}

type TermError = { column: number; message: string };

function parseTerm(text: string, column: number): Term | TermError {
  const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(text);
  if (modifier) {
    const name = (modifier[1] as string).toLowerCase();
    const value = modifier[2] as string;
    const bad = name === 'redirect' || name === 'exp' ? checkDomainSpec(value) : checkMacroString(value);
    if (bad) return { column: column + name.length + 1 + bad.offset, message: `${name}=: ${bad.message}` };
    return { kind: 'modifier', name, value, text, column };
  }
  let rest = text;
  let qualifier: Qualifier = '+';
  const explicitQualifier = /^[+\-~?]/.test(rest);
  if (explicitQualifier) {
    qualifier = rest[0] as Qualifier;
    rest = rest.slice(1);
  }
  const nameMatch = /^[a-z0-9]+/i.exec(rest);
  const name = (nameMatch?.[0] ?? '').toLowerCase();
  if (!MECHANISMS.has(name)) return { column, message: `unknown mechanism "${text}"` };
  const argColumn = column + (explicitQualifier ? 1 : 0) + name.length;
  const argument = rest.slice(name.length);
  const base = { kind: 'mechanism' as const, qualifier, explicitQualifier, name: name as MechanismName, text, column };
  const fail = (offset: number, message: string): TermError => ({ column: argColumn + offset, message: `${name}: ${message}` });
  switch (name) {
    case 'all':
      return argument === '' ? base : fail(0, 'takes no argument');
    case 'include':
    case 'exists': {
      if (!argument.startsWith(':') || argument.length === 1) return fail(0, 'needs ":domain"');
      const bad = checkDomainSpec(argument.slice(1));
      return bad ? fail(1 + bad.offset, bad.message) : { ...base, domainSpec: argument.slice(1) };
    }
    case 'ptr': {
      if (argument === '') return base;
      if (!argument.startsWith(':')) return fail(0, 'expected ":domain" or nothing');
      const bad = checkDomainSpec(argument.slice(1));
      return bad ? fail(1 + bad.offset, bad.message) : { ...base, domainSpec: argument.slice(1) };
    }
    case 'a':
    case 'mx': {
      const cidr = /((?:\/\d+)?)((?:\/\/\d+)?)$/.exec(argument);
      const cidrText = cidr?.[0] ?? '';
      const domainPart = argument.slice(0, argument.length - cidrText.length);
      const dual = parseDualCidr(cidrText);
      if (typeof dual === 'string') return fail(domainPart.length, dual);
      if (domainPart === '') return { ...base, ...dual };
      if (!domainPart.startsWith(':') || domainPart.length === 1) return fail(0, 'expected ":domain", "/prefix" or nothing');
      const bad = checkDomainSpec(domainPart.slice(1));
      return bad ? fail(1 + bad.offset, bad.message) : { ...base, domainSpec: domainPart.slice(1), ...dual };
    }
    case 'ip4':
    case 'ip6': {
      if (!argument.startsWith(':')) return fail(0, 'needs ":address"');
      const [network = '', prefixText, ...extra] = argument.slice(1).split('/');
      const family = name === 'ip4' ? 4 : 6;
      if (isIP(network) !== family) return fail(1, `"${network}" is not an IPv${family} address`);
      if (extra.length > 0) return fail(1 + network.length, 'more than one "/"');
      const max = family === 4 ? 32 : 128;
      if (prefixText !== undefined && (!/^\d+$/.test(prefixText) || Number(prefixText) > max || /^0\d/.test(prefixText))) {
        return fail(2 + network.length, `prefix length must be 0..${max}`);
      }
      const prefix = prefixText === undefined ? max : Number(prefixText);
      return family === 4 ? { ...base, network, cidr4: prefix } : { ...base, network, cidr6: prefix };
    }
  }
  return { column, message: `unknown mechanism "${text}"` };
}

function parseDualCidr(text: string): { cidr4?: number; cidr6?: number } | string {
  const match = /^(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(text);
  if (!match) return 'bad prefix length';
  const result: { cidr4?: number; cidr6?: number } = {};
  if (match[1] !== undefined) {
    if (Number(match[1]) > 32 || /^0\d/.test(match[1])) return 'IPv4 prefix length must be 0..32';
    result.cidr4 = Number(match[1]);
  }
  if (match[2] !== undefined) {
    if (Number(match[2]) > 128 || /^0\d/.test(match[2])) return 'IPv6 prefix length must be 0..128';
    result.cidr6 = Number(match[2]);
  }
  return result;
}

type Bad = { offset: number; message: string } | undefined;

function checkMacroString(value: string): Bad {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (value[i] === '%') {
      MACRO_EXPAND.lastIndex = i;
      const match = new RegExp(MACRO_EXPAND.source, 'iy');
      match.lastIndex = i;
      const found = match.exec(value);
      if (!found) return { offset: i, message: 'bad macro (expected %{letter...}, %%, %_ or %-)' };
      i += found[0].length - 1;
    } else if (code < 0x21 || code > 0x7e) {
      return { offset: i, message: 'character not allowed in a macro-string' };
    }
  }
  return undefined;
}

/** domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand */
function checkDomainSpec(value: string): Bad {
  const bad = checkMacroString(value);
  if (bad) return bad;
  if (/%\{[^}]*\}$/.test(value)) return undefined; // ends with a macro-expand
  const labels = value.replace(/\.$/, '').split('.');
  const top = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !TOPLABEL.test(top)) return { offset: 0, message: `"${value}" is not a domain name (needs a dot and a top label that is not all digits)` };
  if (labels.some((label) => label.length > 63)) return { offset: 0, message: 'a label longer than 63 octets' };
  return undefined;
}

/** True when the domain-spec contains macros, so its value is known only per message. */
export function hasMacro(spec: string): boolean {
  return /%\{/.test(spec);
}

/** The DNS-querying mechanisms and modifiers (RFC 7208 4.6.4). */
export function isLookupTerm(term: Term): boolean {
  if (term.kind === 'modifier') return term.name === 'redirect';
  return term.name === 'include' || term.name === 'a' || term.name === 'mx' || term.name === 'ptr' || term.name === 'exists';
}
