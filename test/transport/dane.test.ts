// DANE key book, pure: which keys a host's TLSA RRset holds over a key rotation, and when a host
// presenting a key counts as a mismatch.
import { describe, expect, it } from 'vitest';
import { currentKey, emptyHostBook, keyOf, matchesDigests, observe, publishMismatch, published, rrsetKeys, staticMismatch, tlsaData, MAX_KEYS_PER_HOST } from '../../src/auth/dane.ts';
import { digests, HEX } from './fixtures.ts';

const P = { selector: 1, matching: 1 } as const;
const K = (c: string) => `1 1 ${HEX(c)}`;
const TTL = 30_000;

describe('the key book', () => {
  it('keys follow the configured selector and matching type', () => {
    expect(keyOf(digests('a'), P)).toBe(K('a'));
    expect(keyOf(digests('a'), { selector: 1, matching: 2 })).toBe(`1 2 ${HEX('a').repeat(2)}`);
    expect(keyOf(digests('a'), { selector: 0, matching: 1 })).toBe(`0 1 ${HEX('f')}`);
    expect(keyOf(null, P)).toBeNull();
    expect(tlsaData(K('a'))).toEqual({ type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: HEX('a') });
  });

  it('a rotation: the new key joins at once, the old one stays 2 x TTL past its last sighting, then goes', () => {
    let book = observe(emptyHostBook(), K('a'), 0);
    book = observe(book, K('a'), 5_000);
    expect(rrsetKeys(book, [], 2 * TTL)).toEqual([K('a')]);
    book = observe(book, K('b'), 10_000); // the certificate was replaced
    expect(currentKey(book)).toBe(K('b'));
    expect(rrsetKeys(book, [], 2 * TTL)).toEqual([K('a'), K('b')]);
    book = observe(book, K('b'), 5_000 + 2 * TTL);
    expect(rrsetKeys(book, [], 2 * TTL)).toEqual([K('a'), K('b')]);
    book = observe(book, K('b'), 5_001 + 2 * TTL);
    expect(rrsetKeys(book, [], 2 * TTL)).toEqual([K('b')]);
    // announced next keys are there before the host ever presents them
    expect(rrsetKeys(book, [K('c')], 2 * TTL)).toEqual([K('b'), K('c')]);
    expect(rrsetKeys(undefined, [K('c')], 2 * TTL)).toEqual([K('c')]);
  });

  it('a host that is down keeps the keys it had when last seen', () => {
    let book = observe(emptyHostBook(), K('a'), 0);
    book = observe(book, K('b'), 1_000);
    // no sighting for an hour: the window is anchored at the last sighting, not at now
    expect(rrsetKeys(book, [], 2 * TTL)).toEqual([K('a'), K('b')]);
  });

  it('remembers at most a bound of keys, never forgetting the current one', () => {
    let book = emptyHostBook();
    for (let i = 0; i < MAX_KEYS_PER_HOST + 5; i++) book = observe(book, `1 1 ${i.toString(16).padStart(64, '0')}`, i);
    expect(Object.keys(book.seen)).toHaveLength(MAX_KEYS_PER_HOST);
    expect(currentKey(book)).toBe(`1 1 ${(MAX_KEYS_PER_HOST + 4).toString(16).padStart(64, '0')}`);
  });
});

describe('mismatch (publish mode)', () => {
  it('the first RRset of a host cannot contradict a cache: no mismatch', () => {
    let book = observe(emptyHostBook(), K('a'), 0);
    expect(publishMismatch(book, 0, TTL)).toBeUndefined();
    book = published(book, [K('a')], 0);
    expect(book.since).toBe(0);
    expect(publishMismatch(book, 1, TTL)).toBeUndefined();
  });

  it('a new key is a mismatch until the RRset holding it has been out for one TTL', () => {
    let book = published(observe(emptyHostBook(), K('a'), 0), [K('a')], 0);
    book = observe(book, K('b'), 100_000);
    expect(publishMismatch(book, 100_000, TTL)).toEqual({ key: K('b'), until: 130_000 });
    book = published(book, [K('a'), K('b')], 100_010);
    expect(book.published).toEqual({ [K('a')]: 0, [K('b')]: 100_010 });
    expect(publishMismatch(book, 130_009, TTL)).toEqual({ key: K('b'), until: 130_010 });
    expect(publishMismatch(book, 130_010, TTL)).toBeUndefined();
  });

  it('an announced next key matched long before the switch: no mismatch at all', () => {
    let book = published(observe(emptyHostBook(), K('a'), 0), [K('a'), K('n')], 0);
    book = published(book, [K('a'), K('n')], 50_000);
    book = observe(book, K('n'), 200_000);
    expect(publishMismatch(book, 200_000, TTL)).toBeUndefined();
  });

  it('an emptied RRset starts over', () => {
    const book = published(published(observe(emptyHostBook(), K('a'), 0), [K('a')], 0), [], 10);
    expect(book.since).toBeUndefined();
    expect(book.published).toEqual({});
  });
});

describe('mismatch (audit mode) and matching', () => {
  const tlsa = (usage: number, selector: number, matchingType: number, data: string) => ({ type: 'TLSA' as const, usage, selector, matchingType, data });
  it.each([
    ['no TLSA: no DANE', [], undefined],
    ['3 1 1 of the key', [tlsa(3, 1, 1, HEX('a'))], undefined],
    ['3 0 1 of the certificate', [tlsa(3, 0, 1, HEX('f'))], undefined],
    ['3 1 2 of the key', [tlsa(3, 1, 2, HEX('a').repeat(2))], undefined],
    ['another key', [tlsa(3, 1, 1, HEX('b'))], { key: K('a') }],
    ['one of two matches', [tlsa(3, 1, 1, HEX('b')), tlsa(3, 1, 1, HEX('a'))], undefined],
    ['DANE-TA present: the chain decides', [tlsa(2, 1, 1, HEX('b'))], undefined],
    ['only PKIX usages: unusable for SMTP, nothing to compare', [tlsa(1, 1, 1, HEX('b'))], undefined],
  ])('%s', (_name, records, expected) => {
    expect(staticMismatch(records, digests('a'), P)).toEqual(expected);
  });

  it('nothing presented yet: no claim', () => {
    expect(staticMismatch([tlsa(3, 1, 1, HEX('b'))], undefined, P)).toBeUndefined();
    expect(matchesDigests(tlsa(3, 1, 1, HEX('b')), digests('a'))).toBe(false);
    expect(matchesDigests(tlsa(3, 1, 1, HEX('a').toUpperCase()), digests('a'))).toBe(true);
  });
});
