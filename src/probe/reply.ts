// Incremental, bounded SMTP reply parser (RFC 5321 4.2). Bytes in, whole replies out.
// Bounded on purpose: a line over 4 KiB or a reply over 64 KiB is an error, so a hostile or broken
// server cannot make us buffer a 1 MiB "greeting".

export const MAX_LINE_OCTETS = 4096;
export const MAX_REPLY_OCTETS = 64 * 1024;

export interface SmtpReply {
  code: number;
  /** text of each line, without code and separator */
  lines: string[];
}

export class ReplyError extends Error {
  override name = 'ReplyError';
}

/** Shows a bad line safely in a reason: printable ASCII, the rest as \xNN, at most 40 characters. */
export function printable(text: string, max = 40): string {
  let out = '';
  for (const char of text.slice(0, max)) {
    const code = char.charCodeAt(0);
    out += code >= 0x20 && code < 0x7f ? char : `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return text.length > max ? `${out}...` : out;
}

// Lean on purpose: thousands of probes a second each parse a few replies, and every string,
// Buffer view or regex match made here is garbage the prober pays for in RSS and GC time. Bytes
// are read as latin1 (one character per octet), so string lengths are octet counts.
const NO_REPLIES: readonly SmtpReply[] = Object.freeze([]);
const CR = 0x0d;
const SPACE = 0x20;
const HYPHEN = 0x2d;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export class ReplyParser {
  /** an unfinished line (latin1) */
  private partial = '';
  private current: SmtpReply | undefined;
  private currentOctets = 0;

  /** Feeds bytes; returns the replies completed by them. Throws ReplyError on a protocol violation. */
  push(chunk: Buffer): readonly SmtpReply[] {
    let done: SmtpReply[] | undefined;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      if (this.partial.length + newline - start > MAX_LINE_OCTETS) throw new ReplyError(`reply line longer than ${MAX_LINE_OCTETS} octets`);
      const line = this.partial === '' ? chunk.toString('latin1', start, newline) : this.partial + chunk.toString('latin1', start, newline);
      this.partial = '';
      const reply = this.line(line);
      if (reply) (done ??= []).push(reply);
      start = newline + 1;
    }
    if (start < chunk.length) {
      if (this.partial.length + chunk.length - start > MAX_LINE_OCTETS) throw new ReplyError(`reply line longer than ${MAX_LINE_OCTETS} octets`);
      // a string copy: the socket may reuse its buffer
      this.partial += chunk.toString('latin1', start);
    }
    return done ?? NO_REPLIES;
  }

  /** True when bytes of an unfinished reply are waiting (matters after STARTTLS: nothing may follow 220). */
  get pending(): boolean {
    return this.partial.length > 0 || this.current !== undefined;
  }

  /** One line without its LF: "ddd", "ddd text" (last line) or "ddd-text" (more follow); one trailing CR dropped. */
  private line(raw: string): SmtpReply | undefined {
    const end = raw.charCodeAt(raw.length - 1) === CR ? raw.length - 1 : raw.length;
    const separator = end > 3 ? raw.charCodeAt(3) : SPACE;
    if (end < 3 || !isDigit(raw.charCodeAt(0)) || !isDigit(raw.charCodeAt(1)) || !isDigit(raw.charCodeAt(2)) || (separator !== SPACE && separator !== HYPHEN)) {
      throw new ReplyError(`not an SMTP reply: "${printable(raw.slice(0, end))}"`);
    }
    const code = (raw.charCodeAt(0) - 0x30) * 100 + (raw.charCodeAt(1) - 0x30) * 10 + (raw.charCodeAt(2) - 0x30);
    if (code < 200 || code > 599) throw new ReplyError(`not an SMTP reply code: ${raw.slice(0, 3)}`);
    this.currentOctets += raw.length + 1;
    if (this.currentOctets > MAX_REPLY_OCTETS) throw new ReplyError(`reply longer than ${MAX_REPLY_OCTETS} octets`);
    const body = end > 4 ? raw.slice(4, end) : '';
    if (this.current === undefined) this.current = { code, lines: [] };
    else if (this.current.code !== code) throw new ReplyError(`multi-line reply changes code from ${this.current.code} to ${code}`);
    this.current.lines.push(body);
    if (separator === HYPHEN) return undefined;
    const reply = this.current;
    this.current = undefined;
    this.currentOctets = 0;
    return reply;
  }
}

/** EHLO reply lines after the first -> extension keywords, upper-case keyword, parameters kept (one space apart). */
export function parseExtensions(reply: SmtpReply): string[] {
  const extensions: string[] = [];
  for (let i = 1; i < reply.lines.length; i++) {
    const line = (reply.lines[i] as string).trim();
    if (line.length === 0) continue;
    // the common case, "SIZE 10240000": single spaces only, so no split and re-join
    if (!/\s\s|[^\S ]/.test(line)) {
      const space = line.indexOf(' ');
      extensions.push(space === -1 ? line.toUpperCase() : line.slice(0, space).toUpperCase() + line.slice(space));
      continue;
    }
    const [keyword = '', ...params] = line.split(/\s+/);
    extensions.push([keyword.toUpperCase(), ...params].join(' '));
  }
  return extensions;
}

export function hasExtension(extensions: readonly string[], keyword: string): boolean {
  const withParameters = `${keyword} `;
  return extensions.some((extension) => extension === keyword || extension.startsWith(withParameters));
}
