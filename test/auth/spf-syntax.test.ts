import { describe, expect, it } from 'vitest';
import { parseSpf } from '../../src/auth/spf-syntax.ts';

describe('parseSpf', () => {
  it('parses mechanisms, qualifiers, prefixes and modifiers', () => {
    const parsed = parseSpf('v=spf1 ip4:192.0.2.0/24 -ip6:2001:db8::/32 a:mail.example.com/28//64 ~mx ?include:_spf.example.net exists:%{i}.x.example.com redirect=_spf.example.com');
    expect(parsed.ok).toBe(true);
    expect(parsed.terms.map((t) => (t.kind === 'mechanism' ? `${t.qualifier}${t.name}` : `${t.name}=`))).toEqual(['+ip4', '-ip6', '+a', '~mx', '?include', '+exists', 'redirect=']);
    expect(parsed.terms[2]).toMatchObject({ domainSpec: 'mail.example.com', cidr4: 28, cidr6: 64 });
  });

  const errors: [string, number, RegExp][] = [
    ['v=spf1 ip4:192.0.2.300 -all', 12, /not an IPv4 address/],
    ['v=spf1 ip4:192.0.2.0/33', 22, /prefix length/],
    ['v=spf1 foo:bar -all', 8, /unknown mechanism/],
    ['v=spf1 include -all', 15, /needs ":domain"/],
    ['v=spf1 include:localhost -all', 16, /not a domain name/],
    ['v=spf1 all:x', 11, /takes no argument/],
    ['v=spf1 redirect=a.example.com redirect=b.example.com', 31, /more than once/],
    ['v=spf1 exists:%{z}.example.com', 15, /bad macro/],
    ['v=spf10 -all', 1, /v=spf1/],
  ];
  for (const [record, column, message] of errors) {
    it(`reports "${record}" at column ${column}`, () => {
      const parsed = parseSpf(record);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.column).toBe(column);
        expect(parsed.message).toMatch(message);
      }
    });
  }
});
