// RFC 4034 6.1 canonical name order, used to sort every published zone.
import { describe, expect, it } from 'vitest';
import { canonicalOrder } from '../../src/dns/zonesets.ts';

describe('canonicalOrder', () => {
  it('sorts as the example in RFC 4034 6.1 (lower-case names)', () => {
    const rfc = ['example', 'a.example', 'yljkjljk.a.example', 'z.a.example', 'zabc.a.example', 'z.example', '*.z.example'];
    const shuffled = [...rfc].reverse();
    // z.example before *.z.example: a name sorts before the names below it
    expect(shuffled.sort(canonicalOrder)).toEqual(rfc);
  });

  it('a label that is a prefix of another sorts first; a name before the names below it', () => {
    expect(['mx10.example.com', 'mx1.example.com', 'example.com', 'a.mx1.example.com'].sort(canonicalOrder)).toEqual(['example.com', 'mx1.example.com', 'a.mx1.example.com', 'mx10.example.com']);
    expect(canonicalOrder('mx1.example.com', 'mx1.example.com')).toBe(0);
  });
});
