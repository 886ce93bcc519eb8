import { describe, expect, it } from 'vitest';
import { parseRData, formatRData, splitTxt, tokenize, canonicalIPv6, parseTime } from '../../src/dns/rdata.ts';
import type { RecordType } from '../../src/model.ts';

describe('parseRData / formatRData', () => {
  it.each([
    ['A', '192.0.2.1', { type: 'A', address: '192.0.2.1' }, '192.0.2.1'],
    ['AAAA', '2001:DB8:0:0::1', { type: 'AAAA', address: '2001:db8::1' }, '2001:db8::1'],
    ['CNAME', 'www', { type: 'CNAME', target: 'www.example.com' }, 'www.example.com.'],
    ['CNAME', 'Example.NET.', { type: 'CNAME', target: 'example.net' }, 'example.net.'],
    ['NS', '@', { type: 'NS', target: 'example.com' }, 'example.com.'],
    ['PTR', 'host.example.net.', { type: 'PTR', target: 'host.example.net' }, 'host.example.net.'],
    ['MX', '10 mx.example.net.', { type: 'MX', preference: 10, exchange: 'mx.example.net' }, '10 mx.example.net.'],
    ['MX', '0 .', { type: 'MX', preference: 0, exchange: '' }, '0 .'],
    ['SRV', '10 5 5060 sip', { type: 'SRV', priority: 10, weight: 5, port: 5060, target: 'sip.example.com' }, '10 5 5060 sip.example.com.'],
    ['CAA', '0 issue "letsencrypt.org"', { type: 'CAA', flags: 0, tag: 'issue', value: 'letsencrypt.org' }, '0 issue "letsencrypt.org"'],
    ['CAA', '128 iodef "mailto:sec@example.com"', { type: 'CAA', flags: 128, tag: 'iodef', value: 'mailto:sec@example.com' }, '128 iodef "mailto:sec@example.com"'],
    ['TXT', 'v=spf1 ip4:192.0.2.0/24 -all', { type: 'TXT', strings: ['v=spf1 ip4:192.0.2.0/24 -all'] }, '"v=spf1 ip4:192.0.2.0/24 -all"'],
    ['TXT', '"a b" "say \\"hi\\"" c', { type: 'TXT', strings: ['a b', 'say "hi"', 'c'] }, '"a b" "say \\"hi\\"" "c"'],
    ['TXT', '"caf\\195\\169"', { type: 'TXT', strings: ['café'] }, '"caf\\195\\169"'],
    ['TLSA', '3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', { type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' }, '3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    // RFC 6698 2.2: the hex may be split by white space and written in either case
    ['TLSA', '3 0 1 0123456789ABCDEF0123456789ABCDEF 0123456789abcdef0123456789abcdef', { type: 'TLSA', usage: 3, selector: 0, matchingType: 1, data: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' }, '3 0 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    ['TLSA', '2 0 0 30820122', { type: 'TLSA', usage: 2, selector: 0, matchingType: 0, data: '30820122' }, '2 0 0 30820122'],
    ['SOA', 'ns1 hostmaster 2026113000 1h 10m 1w 60', { type: 'SOA', mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2026113000, refresh: 3600, retry: 600, expire: 604800, minimum: 60 }, 'ns1.example.com. hostmaster.example.com. 2026113000 3600 600 604800 60'],
  ])('%s %s', (type, text, data, formatted) => {
    const parsed = parseRData(type as RecordType, text, 'example.com');
    expect(parsed).toEqual(data);
    expect(formatRData(parsed)).toBe(formatted);
    // formatting is absolute, so it parses back to the same data under any origin
    expect(parseRData(type as RecordType, formatted, 'elsewhere.org')).toEqual(parsed);
  });

  it.each([
    ['A', '300.1.1.1', /A value "300.1.1.1": expected an IPv4 address/],
    ['A', '192.0.2.1 192.0.2.2', /2 field\(s\), expected 1/],
    ['AAAA', '192.0.2.1', /expected an IPv6 address/],
    ['MX', 'mx.example.net.', /expected "PREFERENCE EXCHANGE"/],
    ['MX', '70000 mx.example.net.', /not a whole number 0..65535/],
    ['SRV', '1 2 3', /expected "PRIORITY WEIGHT PORT TARGET"/],
    ['CAA', '0 is-sue "x"', /tag "is-sue"/],
    ['CNAME', `${'a'.repeat(64)}.example.net.`, /label .* is 64 octets/],
    ['TXT', '"unterminated', /unterminated quoted string/],
    ['TLSA', '3 1 1', /3 field\(s\), expected 4/],
    ['TLSA', '3 1 1 abc', /an even number of hex digits/],
    ['TLSA', '3 1 1 zz', /an even number of hex digits/],
    ['TLSA', '3 1 1 abcd', /matching type 1 holds 64 hex digits, got 4/],
    ['TLSA', '3 1 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', /matching type 2 holds 128 hex digits, got 64/],
    ['TLSA', '256 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', /"256" is not a whole number 0..255/],
  ])('%s %s is refused with a clear reason', (type, text, message) => {
    expect(() => parseRData(type as RecordType, text, 'example.com')).toThrow(message);
  });

  it('splits long TXT into 255-octet strings, never inside a UTF-8 sequence', () => {
    const long = `v=DKIM1; k=rsa; p=${'A'.repeat(600)}`;
    const data = parseRData('TXT', long, 'example.com');
    expect(data.type === 'TXT' && data.strings.map((s) => s.length)).toEqual([255, 255, long.length - 510]);
    const accents = 'é'.repeat(200); // 400 octets
    const parts = splitTxt(accents);
    expect(parts.join('')).toBe(accents);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255);
  });

  it('tokenizes quotes and escapes', () => {
    expect(tokenize('a "b c" d\\ e \\065')).toEqual([
      { text: 'a', quoted: false },
      { text: 'b c', quoted: true },
      { text: 'd e', quoted: false },
      { text: 'A', quoted: false },
    ]);
  });

  it('canonical IPv6 and BIND times', () => {
    expect(canonicalIPv6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIPv6('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(parseTime('1h30m')).toBe(5400);
    expect(parseTime('1x')).toBeUndefined();
  });
});
