// The domain list of `audit --domains`: comments, blank lines, normalisation, duplicates, and the
// bounds (line length, domain count, file size) with line numbers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_LIST_LIMITS, isDomainName, parseDomainList, readDomainList } from '../../src/audit/fleet/domains-file.ts';
import { UsageError } from '../../src/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('the domain list', () => {
  it('one domain a line; # comments, blank lines and CRLF ignored; case and a trailing dot normalised; duplicates once', () => {
    const list = parseDomainList('# customers\r\nExample.COM.\r\n\n  example.net   # a comment\nexample.com\n_dmarc-ok.example.org\n');
    expect(list).toEqual({ domains: ['example.com', 'example.net', '_dmarc-ok.example.org'], problems: [], duplicates: 1 });
  });

  it('names every bad line by its number', () => {
    const list = parseDomainList('ok.example\nnot a domain\nlocalhost\n-x.example\na..example\n' + 'x'.repeat(30), { maxLineLength: 20, maxDomains: 10 });
    expect(list.problems).toEqual([
      { line: 2, message: '"not a domain": one domain a line' },
      { line: 3, message: '"localhost" is not a domain name' },
      { line: 4, message: '"-x.example" is not a domain name' },
      { line: 5, message: '"a..example" is not a domain name' },
      { line: 6, message: 'line longer than 20 characters' },
    ]);
  });

  it('stops at the domain count bound', () => {
    const list = parseDomainList(Array.from({ length: 5 }, (_, i) => `d${i}.example`).join('\n'), { maxLineLength: 100, maxDomains: 3 });
    expect(list.domains).toHaveLength(3);
    expect(list.problems).toEqual([{ line: 4, message: 'more than 3 domains (split the list)' }]);
  });

  it('domain names: labels of 1-63, 253 octets at most', () => {
    expect(isDomainName(`${'a'.repeat(63)}.example`)).toBe(true);
    expect(isDomainName(`${'a'.repeat(64)}.example`)).toBe(false);
    expect(isDomainName(`${'a.'.repeat(126)}ex`)).toBe(false);
  });

  it('a file over the size bound is refused before it is read', () => {
    const file = join(tempDir('mxpool-domains-'), 'big.txt');
    writeFileSync(file, Buffer.alloc(DOMAIN_LIST_LIMITS.maxBytes + 1, 0x61));
    expect(() => readDomainList(file)).toThrow(UsageError);
    expect(() => readDomainList(file)).toThrow(/over the limit of 16777216/);
  });
});
