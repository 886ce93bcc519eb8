import { describe, expect, it } from 'vitest';
import { serialBefore } from '../../src/dns/transfer.ts';

describe('serialBefore (RFC 1982)', () => {
  it.each([
    [1, 2, true],
    [2, 1, false],
    [5, 5, false],
    [0xffffffff, 0, true], // wraps
    [0, 0xffffffff, false],
    [2026113000, 2026113001, true],
  ])('%i before %i: %s', (a, b, expected) => {
    expect(serialBefore(a, b)).toBe(expected);
  });
});
