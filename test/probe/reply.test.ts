// The SMTP reply parser and EHLO keyword helpers (pure): replies split across chunks at every
// byte, CR handling, bounds, and the exact reasons a broken server gets.
import { describe, expect, it } from 'vitest';
import { MAX_LINE_OCTETS, ReplyParser, hasExtension, parseExtensions, type SmtpReply } from '../../src/probe/reply.ts';

/** Feeds `text` in pieces of `step` bytes; returns every reply and whether bytes are still pending. */
function parse(text: string, step: number): { replies: SmtpReply[]; pending: boolean } {
  const bytes = Buffer.from(text, 'latin1');
  const parser = new ReplyParser();
  const replies: SmtpReply[] = [];
  for (let i = 0; i < bytes.length; i += step) replies.push(...parser.push(bytes.subarray(i, i + step)));
  return { replies, pending: parser.pending };
}

function error(text: string): string {
  try {
    new ReplyParser().push(Buffer.from(text, 'latin1'));
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('ReplyParser', () => {
  it('parses single- and multi-line replies the same however the bytes are split', () => {
    const text = '220 mx.example.test ESMTP\r\n250-mx hello\r\n250-SIZE 1000\n250 STARTTLS\r\n221\r\n354-\r\n354 go\r\n';
    for (const step of [1, 2, 3, 5, 1000]) {
      expect(parse(text, step)).toEqual({
        replies: [
          { code: 220, lines: ['mx.example.test ESMTP'] },
          { code: 250, lines: ['mx hello', 'SIZE 1000', 'STARTTLS'] },
          { code: 221, lines: [''] },
          { code: 354, lines: ['', 'go'] },
        ],
        pending: false,
      });
    }
  });

  it('keeps an unfinished line or reply pending (nothing may follow the STARTTLS 220)', () => {
    expect(parse('220 ready\r\n250', 4)).toMatchObject({ replies: [{ code: 220 }], pending: true });
    expect(parse('250-first\r\n', 4)).toMatchObject({ replies: [], pending: true });
  });

  it('drops one trailing CR only; other bytes stay in the text (latin1)', () => {
    expect(parse('250 a\r\r\n', 3).replies).toEqual([{ code: 250, lines: ['a\r'] }]);
    expect(parse('250 caf\xe9\r\n', 3).replies).toEqual([{ code: 250, lines: ['caf\xe9'] }]);
  });

  it('names what is wrong with a line that is not a reply', () => {
    expect(error('hello\r\n')).toBe('not an SMTP reply: "hello"');
    expect(error('22\r\n')).toBe('not an SMTP reply: "22"');
    expect(error('\r\n')).toBe('not an SMTP reply: ""');
    expect(error('220\r\r\n')).toBe('not an SMTP reply: "220\\x0d"');
    expect(error('220x\r\n')).toBe('not an SMTP reply: "220x"');
    expect(error('199 low\r\n')).toBe('not an SMTP reply code: 199');
    expect(error('600 high\r\n')).toBe('not an SMTP reply code: 600');
    expect(error('250-a\r\n251 b\r\n')).toBe('multi-line reply changes code from 250 to 251');
  });

  it('bounds a line, finished or not, and a reply', () => {
    expect(error(`220 ${'x'.repeat(MAX_LINE_OCTETS - 4)}\n`)).toBe('no error');
    expect(error(`220 ${'x'.repeat(MAX_LINE_OCTETS - 3)}\n`)).toBe(`reply line longer than ${MAX_LINE_OCTETS} octets`);
    expect(() => parse(`220 ${'x'.repeat(MAX_LINE_OCTETS)}`, 100)).toThrow(`reply line longer than ${MAX_LINE_OCTETS} octets`);
    expect(error(`${'250-'.concat('y'.repeat(1000), '\r\n').repeat(70)}250 ok\r\n`)).toBe('reply longer than 65536 octets');
  });
});

describe('EHLO keywords', () => {
  it('upper-cases the keyword, keeps parameters one space apart, skips blank lines', () => {
    const reply = { code: 250, lines: ['mx hello', 'size 1000', ' starttls ', '', 'AUTH\tPLAIN   LOGIN', '8BITMIME'] };
    expect(parseExtensions(reply)).toEqual(['SIZE 1000', 'STARTTLS', 'AUTH PLAIN LOGIN', '8BITMIME']);
  });

  it('hasExtension matches the keyword alone, not a prefix of another', () => {
    const extensions = ['SIZE 1000', 'STARTTLSX', 'PIPELINING'];
    expect(hasExtension(extensions, 'SIZE')).toBe(true);
    expect(hasExtension(extensions, 'PIPELINING')).toBe(true);
    expect(hasExtension(extensions, 'STARTTLS')).toBe(false);
  });
});
