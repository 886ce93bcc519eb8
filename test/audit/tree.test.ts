// The worst-case lookup tree: what counts toward 10 and toward the void limit of 2.
import { describe, expect, it } from 'vitest';
import { lookupTree, renderTree } from '../../src/audit/spf/tree.ts';
import { zoneResolver } from '../../src/audit/zone-resolver.ts';
import { parseZone } from '../../src/dns/masterfile.ts';

const resolver = (lines: string[]) => zoneResolver('example.com', parseZone(['$ORIGIN example.com.', '$TTL 300', ...lines, ''].join('\n'), 'example.com'));

describe('lookupTree', () => {
  it('counts include, a, mx, ptr, exists and redirect once each; mx targets cost no lookup of their own', async () => {
    const tree = await lookupTree(
      resolver([
        '@ IN TXT "v=spf1 include:_a.example.com a mx ptr exists:e.example.com redirect=_r.example.com"',
        '@ IN A 192.0.2.1',
        '@ IN MX 10 m1\n@ IN MX 20 m2',
        'm1 IN A 192.0.2.2\nm2 IN AAAA 2001:db8::2',
        'e IN A 127.0.0.2',
        '_a IN TXT "v=spf1 a:host.example.com -all"\nhost IN A 192.0.2.3',
        '_r IN TXT "v=spf1 -all"',
      ]),
      'example.com',
    );
    expect(tree.lookups).toBe(7); // include, a (inside _a), a, mx, ptr, exists, redirect
    expect(tree.voids).toBe(0);
    const text = renderTree(tree).join('\n');
    expect(text).toMatch(/├─ mx \[1 lookup\]: 2 MX target\(s\)\n│  ├─ m1\.example\.com: 192\.0\.2\.2\n│  └─ m2\.example\.com: 2001:db8::2/);
    expect(text).toMatch(/├─ ptr \[1 lookup\] \(per-client\)/);
    expect(text).toMatch(/total: 7 DNS lookup\(s\) \(limit 10\), 0 void \(limit 2\)$/);
  });

  it('counts a name without addresses and an MX target without addresses as void', async () => {
    const tree = await lookupTree(resolver(['@ IN TXT "v=spf1 a:nx.example.com mx -all"', '@ IN MX 10 gone'], ), 'example.com');
    expect(tree.voids).toBe(2);
    expect(tree.lookups).toBe(2);
  });

  it('a redirect next to all costs nothing (it is never followed)', async () => {
    const tree = await lookupTree(resolver(['@ IN TXT "v=spf1 -all redirect=_r.example.com"', '_r IN TXT "v=spf1 include:x.example.com -all"']), 'example.com');
    expect(tree.lookups).toBe(0);
    expect(tree.root.children[0]).toMatchObject({ status: 'ignored' });
  });
});
