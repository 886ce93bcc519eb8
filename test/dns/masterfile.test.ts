// Master files: formatZone output is accepted by BIND's named-checkzone (a real peer) and parses back
// to the same records; parseZone reads ordinary hand-written zone files.
import { describe, expect, it } from 'vitest';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatZone, parseZone } from '../../src/dns/masterfile.ts';
import { formatRData } from '../../src/dns/rdata.ts';
import type { RecordSet } from '../../src/model.ts';
import { dnsConfig, run, zoneOf } from './helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const canon = (sets: RecordSet[]) => sets.flatMap((s) => s.values.map((v) => `${s.name} ${s.ttl} ${s.type} ${formatRData(v.data)}`)).sort();

describe('formatZone', () => {
  const zone = zoneOf(dnsConfig('127.0.2.1:0'));
  const text = formatZone(zone);

  it('starts with $ORIGIN, $TTL and the SOA', () => {
    const lines = text.split('\n').filter((l) => !l.startsWith(';'));
    expect(lines[0]).toBe('$ORIGIN example.com.');
    expect(lines[1]).toMatch(/^\$TTL \d+$/);
    expect(lines[2]).toMatch(/^@\s+3600 IN SOA\s+ns1\.example\.com\. hostmaster\.example\.com\. 2026113001 /);
  });

  it('is accepted by named-checkzone', async () => {
    const dir = tempDir('mxpool-zone-');
    try {
      const file = join(dir, 'example.com.zone');
      writeFileSync(file, text);
      const { stdout } = await run('named-checkzone', ['-k', 'fail', '-n', 'fail', 'example.com', file]);
      expect(stdout).toMatch(/loaded serial 2026113001/);
      expect(stdout).toMatch(/^OK$/m);
      // named-checkzone's canonical dump has every record we published
      const { stdout: dump } = await run('named-checkzone', ['-D', '-q', '-o', '-', 'example.com', file]).catch(() => run('named-checkzone', ['-D', '-o', '-', 'example.com', file]));
      for (const line of ['mx.example.com.', '192.0.2.11', 'v=spf1', '"x', 'letsencrypt.org']) expect(dump).toContain(line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses back to the same records', () => {
    expect(canon(parseZone(text, 'example.com'))).toEqual(canon(zone.sets));
  });
});

describe('parseZone', () => {
  it('reads $ORIGIN, $TTL, @, relative names, inherited owners, parentheses, quotes and comments', () => {
    const text = `$TTL 1h
$ORIGIN example.org.
@   IN  SOA ns1 hostmaster (
        2026010101 ; serial
        2h 15m 2w 300 )
    IN  NS   ns1
    IN  NS   ns2.example.net.
    MX  10 mail            ; inherited owner, class omitted
mail 60 IN A 192.0.2.1
mail IN 60 AAAA 2001:db8::1
txt  TXT "v=spf1 ip4:192.0.2.0/24" " -all" ; two strings
     TXT ( "split"
           "over lines" )
esc  TXT "a \\"quoted\\" word; not a comment"
$ORIGIN sub.example.org.
www  CNAME @
x    HINFO "unknown" "types are skipped"
`;
    const sets = parseZone(text, 'example.org');
    expect(canon(sets)).toEqual([
      'esc.example.org 3600 TXT "a \\"quoted\\" word; not a comment"',
      'example.org 3600 MX 10 mail.example.org.',
      'example.org 3600 NS ns1.example.org.',
      'example.org 3600 NS ns2.example.net.',
      'example.org 3600 SOA ns1.example.org. hostmaster.example.org. 2026010101 7200 900 1209600 300',
      'mail.example.org 60 A 192.0.2.1',
      'mail.example.org 60 AAAA 2001:db8::1',
      'txt.example.org 3600 TXT "split" "over lines"',
      'txt.example.org 3600 TXT "v=spf1 ip4:192.0.2.0/24" " -all"',
      'www.sub.example.org 3600 CNAME sub.example.org.',
    ]);
  });

  it.each([
    ['$INCLUDE other.zone\n', /line 1: \$INCLUDE is not supported/],
    ['@ 60 IN MX ten mail\n', /line 1: MX value/],
    ['@ 60 IN A 192.0.2.1 (\n', /"\(" never closed/],
    ['@ IN A 192.0.2.1\n', /no TTL and no \$TTL/],
    ['$TTL 60\n  IN A 192.0.2.1\n', /line 2: the first record has no owner/],
    ['$TTL 60\n@ CH TXT "x"\n', /class CH is not supported/],
    ['$TTL 60\n@ TXT "open\n', /unterminated quoted string/],
  ])('refuses %j with the line', (text, message) => {
    expect(() => parseZone(text, 'example.org')).toThrow(message);
  });
});
