// Value formats of each provider, and their ownership marks, as tables.
import { describe, expect, it } from 'vitest';
import { formatValue, parseValue, parseQuoted, fromFqdn } from '../../providers/route53/values.ts';
import { readRegistry, registryRrset } from '../../providers/route53/registry.ts';
import { toRrsets } from '../../providers/route53/provider.ts';
import { ownershipComment, parseRecord, readOwnership, toFields } from '../../providers/cloudflare/values.ts';
import type { RData } from '../../src/model.ts';
import { poolA, mx } from '../plan/sets.ts';

const samples: Array<[RData, string]> = [
  [{ type: 'A', address: '192.0.2.1' }, '192.0.2.1'],
  [{ type: 'AAAA', address: '2001:db8::1' }, '2001:db8::1'],
  [{ type: 'MX', preference: 10, exchange: 'mx1.example.com' }, '10 mx1.example.com.'],
  [{ type: 'TXT', strings: ['v=spf1 -all'] }, '"v=spf1 -all"'],
  [{ type: 'TXT', strings: ['a "quoted" \\ text', 'second'] }, '"a \\"quoted\\" \\\\ text" "second"'],
  // Route 53's escapes are octal, one per octet of the UTF-8 text
  [{ type: 'TXT', strings: ['café\tbar', 'ok'] }, '"caf\\303\\251\\011bar" "ok"'],
  [{ type: 'CNAME', target: 'example.net' }, 'example.net.'],
  [{ type: 'SRV', priority: 10, weight: 5, port: 25, target: 'mx.example.com' }, '10 5 25 mx.example.com.'],
  [{ type: 'CAA', flags: 0, tag: 'issue', value: 'letsencrypt.org' }, '0 issue "letsencrypt.org"'],
  [{ type: 'TLSA', usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }, `3 1 1 ${'ab'.repeat(32)}`],
];

describe('route53 values', () => {
  it.each(samples)('%j <-> %s', (data, text) => {
    expect(formatValue(data)).toBe(text);
    expect(parseValue(data.type, text)).toEqual(data);
  });

  it('undoes Route 53 octal escapes in names and TXT', () => {
    expect(fromFqdn('\\052.example.com.')).toBe('*.example.com');
    expect(parseQuoted('"semi\\073colon"')).toEqual(['semi;colon']);
    expect(parseQuoted('"\\360\\237\\223\\247 mail \\\\ \\"x\\""')).toEqual(['\u{1f4e7} mail \\ "x"']);
    expect(parseQuoted('"no escapes"')).toEqual(['no escapes']);
    expect(parseValue('MX', 'garbage')).toBeUndefined();
    expect(parseValue('SOA', 'a. b. 1 2 3 4 5')).toBeUndefined();
  });

  it('weighted pool sets become one rrset per host; MX stays one plain set', () => {
    expect(toRrsets(poolA('smtp.example.com', [['r1', '192.0.2.1', 3], ['r2', '192.0.2.2', 0]]))).toEqual([
      { name: 'smtp.example.com.', type: 'A', setIdentifier: 'r1', weight: 3, ttl: 30, values: ['192.0.2.1'] },
      { name: 'smtp.example.com.', type: 'A', setIdentifier: 'r2', weight: 0, ttl: 30, values: ['192.0.2.2'] },
    ]);
    const plainMx = { ...mx('example.com', ['a.example.com']), values: [{ data: { type: 'MX' as const, preference: 10, exchange: 'a.example.com' } }] };
    expect(toRrsets(plainMx)).toEqual([{ name: 'example.com.', type: 'MX', ttl: 30, values: ['10 a.example.com.'] }]);
  });

  it('registry records name their set and owner; anything else is not one', () => {
    const rrset = registryRrset('smtp.example.com', 'A', 'blue');
    expect(rrset).toEqual({ name: '_mxpool-a.smtp.example.com.', type: 'TXT', ttl: 300, values: ['"heritage=mxpool,mxpool/owner=blue,mxpool/resource=a"'] });
    expect(readRegistry(rrset)).toEqual({ key: 'smtp.example.com/A', owner: 'blue' });
    expect(readRegistry({ ...rrset, values: ['"heritage=external-dns,external-dns/owner=x"'] })).toBeUndefined();
    expect(readRegistry({ ...rrset, name: 'smtp.example.com.' })).toBeUndefined();
  });
});

describe('cloudflare values', () => {
  it('keeps MX preference in priority and TXT as quoted strings', () => {
    expect(toFields('example.com', 60, { type: 'MX', preference: 10, exchange: 'mx1.example.com' })).toEqual({ name: 'example.com', type: 'MX', ttl: 60, content: 'mx1.example.com', priority: 10 });
    expect(toFields('example.com', 60, { type: 'TXT', strings: ['v=spf1', ' -all'] }).content).toBe('"v=spf1" " -all"');
    expect(parseRecord({ type: 'TXT', content: '"v=spf1" " -all"' })).toEqual({ type: 'TXT', strings: ['v=spf1', ' -all'] });
    expect(parseRecord({ type: 'TXT', content: 'unquoted by hand' })).toEqual({ type: 'TXT', strings: ['unquoted by hand'] });
    expect(parseRecord({ type: 'MX', content: 'MX1.Example.com.', priority: 5 })).toEqual({ type: 'MX', preference: 5, exchange: 'mx1.example.com' });
    expect(parseRecord({ type: 'HTTPS', content: '1 . alpn=h2' })).toBeUndefined();
  });

  it('writes TLSA through data (Cloudflare formats content from it) and reads either back', () => {
    const hex = 'AB'.repeat(32);
    const tlsa = { type: 'TLSA' as const, usage: 3, selector: 1, matchingType: 1, data: hex.toLowerCase() };
    expect(toFields('_25._tcp.mx1.example.com', 60, tlsa)).toEqual({
      name: '_25._tcp.mx1.example.com', type: 'TLSA', ttl: 60, content: `3 1 1 ${hex.toLowerCase()}`,
      data: { usage: 3, selector: 1, matching_type: 1, certificate: hex.toLowerCase() },
    });
    expect(parseRecord({ type: 'TLSA', content: '', data: { usage: 3, selector: 1, matching_type: 1, certificate: hex } })).toEqual(tlsa);
    expect(parseRecord({ type: 'TLSA', content: `3\t1\t1\t${hex}` })).toEqual(tlsa);
    expect(parseRecord({ type: 'TLSA', content: '3 1 1 nothex' })).toBeUndefined();
  });

  it('marks ownership in the comment, within 100 characters', () => {
    expect(ownershipComment('mxpool', 'mx1.example.com')).toBe('heritage=mxpool,owner=mxpool,host=mx1.example.com');
    expect(readOwnership('heritage=mxpool,owner=blue,host=h')).toEqual({ owner: 'blue', host: 'h' });
    expect(readOwnership('made by hand')).toBeUndefined();
    expect(ownershipComment('mxpool', `${'a'.repeat(120)}.example.com`)).toHaveLength(100);
  });
});
