// A fast reader for the plain YAML that tenant files are written in (block mappings and sequences,
// one-line flow collections, plain and quoted scalars on one line), straight to plain values: no
// syntax tree, no positions. 10,000 tenant files through the yaml package cost seconds of start-up
// (issue 13); this reads them about ten times faster.
//
// It never decides anything the yaml package would decide otherwise: it gives up (undefined) on
// anything outside that subset — anchors, aliases, tags, merge keys, block scalars, multi-line
// scalars or flow collections, quoted or unusual keys, tabs, non-ASCII, odd indentation — and on
// anything the tree checks would speak about (a key given twice, an inline secret). The caller then
// reads the file with readDocument (src/config/document.ts), which finds every problem with its
// LINE:COL. So a file read here is exactly a file that reads cleanly there, with equal values
// (test/config/plain-yaml.test.ts checks that against the yaml package on generated documents).
import { isSecretKey } from './yaml-checks.ts';

/** Thrown inside the reader to give up; never escapes it. */
class GiveUp extends Error {}

interface Line {
  indent: number;
  /** the line from its first non-space character */
  text: string;
}

const MAX_DEPTH = 64;
const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)/;
/** keys the yaml package would not keep as the same plain text (or that need care in JS objects) */
const RESERVED_KEYS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '__proto__']);

/** The plain value of `text`, or undefined when readDocument must read it (see the top of the file). */
export function plainYaml(text: string): { value: unknown } | undefined {
  // printable ASCII and newlines only (no tabs, CR, BOM or other characters that need care)
  if (/[^\n\x20-\x7e]/.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const content = raw.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    // directives and document markers: one document only, read the long way
    if (content.startsWith('%') || content.startsWith('---') || content.startsWith('...')) return undefined;
    lines.push({ indent: raw.length - content.length, text: content });
  }
  if (lines.length === 0 || lines[0]?.indent !== 0) return undefined;
  try {
    const reader = new Reader(lines);
    const value = reader.mapping(0, 0);
    if (!reader.done) return undefined;
    return { value };
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

class Reader {
  readonly #lines: Line[];
  #at = 0;

  constructor(lines: Line[]) {
    this.#lines = lines;
  }

  get done(): boolean {
    return this.#at >= this.#lines.length;
  }

  /** A block mapping whose keys start at column `indent`. */
  mapping(indent: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new GiveUp();
    const result: Record<string, unknown> = {};
    for (let line = this.#lines[this.#at]; line && line.indent >= indent; line = this.#lines[this.#at]) {
      if (line.indent > indent) throw new GiveUp();
      const match = KEY.exec(line.text);
      if (!match) throw new GiveUp();
      const key = match[1] as string;
      if (RESERVED_KEYS.has(key) || isSecretKey(key) || key === '<<' || Object.hasOwn(result, key)) throw new GiveUp();
      const rest = line.text.slice(match[0].length);
      this.#at++;
      result[key] = rest === '' || rest.startsWith('#') ? this.#nested(indent, depth, true) : this.#inline(rest, indent);
    }
    return result;
  }

  /** A block sequence whose dashes are at column `indent`. */
  sequence(indent: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw new GiveUp();
    const result: unknown[] = [];
    for (let line = this.#lines[this.#at]; line && line.indent >= indent; line = this.#lines[this.#at]) {
      if (line.indent > indent || !isDash(line.text)) throw new GiveUp();
      const after = line.text.slice(1);
      const content = after.trimStart();
      if (content === '' || content.startsWith('#')) {
        this.#at++;
        result.push(this.#nested(indent, depth, false));
      } else if (KEY.test(content)) {
        // "- key: value": a mapping whose keys line up with this first one
        const column = indent + 1 + (after.length - content.length);
        this.#lines[this.#at] = { indent: column, text: content };
        result.push(this.mapping(column, depth + 1));
      } else {
        if (isDash(content)) throw new GiveUp(); // "- - x"
        this.#at++;
        result.push(this.#inline(content, indent));
      }
    }
    return result;
  }

  /**
   * The value below a key or dash with nothing after it on its line: a block, or null. A key's
   * sequence may start at the key's own column (`records:` then `- ...` below it); anything else
   * is indented further.
   */
  #nested(indent: number, depth: number, key: boolean): unknown {
    const next = this.#lines[this.#at];
    if (!next || next.indent < indent) return null;
    if (next.indent === indent) return key && isDash(next.text) ? this.sequence(next.indent, depth + 1) : null;
    if (isDash(next.text)) return this.sequence(next.indent, depth + 1);
    return this.mapping(next.indent, depth + 1);
  }

  /** A value written after `key: ` or `- `; nothing may continue it on the lines below. */
  #inline(text: string, indent: number): unknown {
    const scan = new Scan(text);
    const value = scan.flowOrScalar(false, 0);
    scan.end();
    const next = this.#lines[this.#at];
    if (next && next.indent > indent) throw new GiveUp(); // a continuation line, or a mistake
    return value;
  }
}

function isDash(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

const FLOW_INDICATORS = ',[]{}';

/** One line's value: a flow collection or a scalar, read left to right. */
class Scan {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** Only spaces and a comment may follow the value. */
  end(): void {
    this.#spaces();
    if (this.#at < this.#text.length && !(this.#text[this.#at] === '#' && this.#text[this.#at - 1] === ' ')) throw new GiveUp();
  }

  flowOrScalar(inFlow: boolean, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new GiveUp();
    const c = this.#text[this.#at];
    if (c === '[') return this.#sequence(depth + 1);
    if (c === '{') return this.#mapping(depth + 1);
    if (c === '"') return this.#doubleQuoted();
    if (c === "'") return this.#singleQuoted();
    return resolvePlain(this.#plain(inFlow));
  }

  #sequence(depth: number): unknown[] {
    this.#at++;
    const items: unknown[] = [];
    this.#spaces();
    if (this.#take(']')) return items;
    for (;;) {
      this.#spaces();
      items.push(this.flowOrScalar(true, depth));
      this.#spaces();
      if (this.#take(']')) return items;
      if (!this.#take(',')) throw new GiveUp();
      this.#spaces();
      if (this.#text[this.#at] === ']') throw new GiveUp(); // a trailing comma
    }
  }

  #mapping(depth: number): Record<string, unknown> {
    this.#at++;
    const result: Record<string, unknown> = {};
    this.#spaces();
    if (this.#take('}')) return result;
    for (;;) {
      this.#spaces();
      const match = KEY.exec(this.#text.slice(this.#at));
      if (!match || !match[0].endsWith(' ')) throw new GiveUp();
      const key = match[1] as string;
      if (RESERVED_KEYS.has(key) || isSecretKey(key) || Object.hasOwn(result, key)) throw new GiveUp();
      this.#at += match[0].length;
      const c = this.#text[this.#at];
      if (c === undefined || c === ',' || c === '}' || c === '#') throw new GiveUp(); // an empty value
      result[key] = this.flowOrScalar(true, depth);
      this.#spaces();
      if (this.#take('}')) return result;
      if (!this.#take(',')) throw new GiveUp();
      this.#spaces();
      if (this.#text[this.#at] === '}') throw new GiveUp();
    }
  }

  #doubleQuoted(): string {
    const text = this.#text;
    let out = '';
    let from = this.#at + 1;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote < 0) throw new GiveUp(); // the quote ends on another line
      const slash = text.indexOf('\\', from);
      if (slash < 0 || slash > quote) {
        out += text.slice(from, quote);
        this.#at = quote + 1;
        this.#afterQuoted();
        return out;
      }
      out += text.slice(from, slash);
      const next = text[slash + 1];
      const simple = next === undefined ? undefined : ESCAPES[next];
      if (simple !== undefined) {
        out += simple;
        from = slash + 2;
      } else if (next === 'x' || next === 'u') {
        const length = next === 'x' ? 2 : 4;
        const hex = text.slice(slash + 2, slash + 2 + length);
        if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) throw new GiveUp();
        out += String.fromCharCode(Number.parseInt(hex, 16));
        from = slash + 2 + length;
      } else throw new GiveUp();
    }
  }

  #singleQuoted(): string {
    const text = this.#text;
    let out = '';
    let from = this.#at + 1;
    for (;;) {
      const quote = text.indexOf("'", from);
      if (quote < 0) throw new GiveUp();
      out += text.slice(from, quote);
      if (text[quote + 1] !== "'") {
        this.#at = quote + 1;
        this.#afterQuoted();
        return out;
      }
      out += "'";
      from = quote + 2;
    }
  }

  /** A quoted scalar followed by a colon would be a quoted key: not read here. */
  #afterQuoted(): void {
    let i = this.#at;
    while (this.#text[i] === ' ') i++;
    if (this.#text[i] === ':') throw new GiveUp();
    // text glued to the closing quote ("a"b) is a syntax error there
    const c = this.#text[this.#at];
    if (c !== undefined && c !== ' ' && !FLOW_INDICATORS.includes(c)) throw new GiveUp();
  }

  /** A plain scalar: up to a comment or the line's end (in a flow: up to , ] } too). */
  #plain(inFlow: boolean): string {
    const text = this.#text;
    const first = text[this.#at];
    if (first === undefined || '?:,[]{}#&*!|>\'"%@`'.includes(first)) throw new GiveUp();
    const second = text[this.#at + 1];
    if (first === '-' && (second === undefined || second === ' ' || (inFlow && FLOW_INDICATORS.includes(second)))) throw new GiveUp();
    let end = this.#at;
    for (; end < text.length; end++) {
      const c = text[end] as string;
      if (c === ' ' && text[end + 1] === '#') break;
      if ('[]{}'.includes(c)) {
        if (inFlow && c !== '[' && c !== '{') break;
        throw new GiveUp();
      }
      if (c === ',' && inFlow) break;
      // "a: b" inside a value is a mapping or a mistake; "a:" at the end too; "a:b" is text
      if (c === ':' && (text[end + 1] === undefined || text[end + 1] === ' ' || FLOW_INDICATORS.includes(text[end + 1] as string))) throw new GiveUp();
    }
    const value = text.slice(this.#at, end).trimEnd();
    this.#at = end;
    return value;
  }

  #spaces(): void {
    while (this.#text[this.#at] === ' ') this.#at++;
  }

  #take(c: string): boolean {
    if (this.#text[this.#at] !== c) return false;
    this.#at++;
    return true;
  }
}

/** The one-character escapes of a double-quoted scalar (YAML 1.2 5.7). */
const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
};

/**
 * A plain scalar as the YAML 1.2 core schema resolves it (the yaml package's default): null, a
 * boolean, an integer (decimal, 0o octal, 0x hex), a float (.inf, .nan), else the text.
 */
function resolvePlain(text: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(text)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(text)) return false;
  const first = text.charCodeAt(0);
  // everything numeric starts with a digit, a sign or a dot
  if (!(first >= 48 && first <= 57) && first !== 43 && first !== 45 && first !== 46) return text;
  if (/^0o[0-7]+$/.test(text)) return Number.parseInt(text.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(text)) return Number.parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)) return text.slice(-3).toLowerCase() === 'nan' ? Number.NaN : text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(text)) return Number.parseFloat(text);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(text)) return Number.parseFloat(text);
  return text;
}
