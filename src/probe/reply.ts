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

const LINE = /^(\d{3})(?:([ -])(.*))?$/s;

/** Shows a bad line safely in a reason: printable ASCII, the rest as \xNN, at most 40 characters. */
export function printable(text: string, max = 40): string {
  let out = '';
  for (const char of text.slice(0, max)) {
    const code = char.charCodeAt(0);
    out += code >= 0x20 && code < 0x7f ? char : `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return text.length > max ? `${out}...` : out;
}

export class ReplyParser {
  private partial: Buffer[] = [];
  private partialLength = 0;
  private current: SmtpReply | undefined;
  private currentOctets = 0;

  /** Feeds bytes; returns the replies completed by them. Throws ReplyError on a protocol violation. */
  push(chunk: Buffer): SmtpReply[] {
    const done: SmtpReply[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      if (this.partialLength + piece.length > MAX_LINE_OCTETS) throw new ReplyError(`reply line longer than ${MAX_LINE_OCTETS} octets`);
      const line = this.partialLength === 0 ? piece : Buffer.concat([...this.partial, piece]);
      this.partial = [];
      this.partialLength = 0;
      const reply = this.line(line);
      if (reply) done.push(reply);
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.partialLength + rest.length > MAX_LINE_OCTETS) throw new ReplyError(`reply line longer than ${MAX_LINE_OCTETS} octets`);
      // copy: the socket may reuse its buffer
      this.partial.push(Buffer.from(rest));
      this.partialLength += rest.length;
    }
    return done;
  }

  /** True when bytes of an unfinished reply are waiting (matters after STARTTLS: nothing may follow 220). */
  get pending(): boolean {
    return this.partialLength > 0 || this.current !== undefined;
  }

  private line(raw: Buffer): SmtpReply | undefined {
    const text = raw.toString('latin1').replace(/\r$/, '');
    const match = LINE.exec(text);
    if (!match) throw new ReplyError(`not an SMTP reply: "${printable(text)}"`);
    const code = Number(match[1]);
    if (code < 200 || code > 599) throw new ReplyError(`not an SMTP reply code: ${match[1]}`);
    this.currentOctets += raw.length + 1;
    if (this.currentOctets > MAX_REPLY_OCTETS) throw new ReplyError(`reply longer than ${MAX_REPLY_OCTETS} octets`);
    const body = match[3] ?? '';
    if (this.current === undefined) this.current = { code, lines: [] };
    else if (this.current.code !== code) throw new ReplyError(`multi-line reply changes code from ${this.current.code} to ${code}`);
    this.current.lines.push(body);
    if (match[2] === '-') return undefined;
    const reply = this.current;
    this.current = undefined;
    this.currentOctets = 0;
    return reply;
  }
}

/** EHLO reply lines after the first -> extension keywords, upper-case keyword, parameters kept. */
export function parseExtensions(reply: SmtpReply): string[] {
  return reply.lines
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [keyword = '', ...params] = line.split(/\s+/);
      return [keyword.toUpperCase(), ...params].join(' ');
    });
}

export function hasExtension(extensions: readonly string[], keyword: string): boolean {
  return extensions.some((extension) => extension.split(' ')[0] === keyword);
}
