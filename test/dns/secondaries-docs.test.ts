// docs/nameserver.md shows "tested" NSD, Knot and BIND configurations: they must be exactly what the
// interop test (secondaries.test.ts) runs, rendered with the doc's example addresses and keys; and
// its mxpool config sample must validate, keys and keyed entries included.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.ts';
import { bindSecondary, knotSecondary, nsdSecondary } from '../helpers/secondaries.ts';
import { DOC_SPECS } from './secondaries-docs.ts';

const doc = readFileSync(new URL('../../docs/nameserver.md', import.meta.url), 'utf8');

function block(marker: string): string | undefined {
  return new RegExp(`<!-- tested: ${marker} -->\\n\`\`\`\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
}

describe('docs/nameserver.md', () => {
  it.each([
    ['nsd', nsdSecondary(DOC_SPECS.nsd)],
    ['knot', knotSecondary(DOC_SPECS.knot)],
    ['bind', bindSecondary(DOC_SPECS.bind)],
  ])('the %s configuration is the one the interop test runs', (marker, rendered) => {
    expect(block(marker)).toBe(rendered);
  });

  it('the mxpool sample for secondaries validates, and names the keys and addresses the configs use', () => {
    const section = doc.slice(doc.indexOf('### Secondaries: TSIG and the journal'));
    const sample = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] as string;
    const config = parseConfig(`zone: example.com\npools:\n  - { name: in, role: inbound, mx: { name: example.com }, hosts: [{ name: mx1.example.com, address: 192.0.2.10 }] }\n${sample}`, 'docs/nameserver.md');
    const ns = config.nameserver!;
    for (const spec of Object.values(DOC_SPECS)) {
      expect(ns.tsig).toContainEqual(expect.objectContaining({ name: spec.key.name, algorithm: spec.key.algorithm }));
      expect(ns.transfer.allow).toContainEqual({ address: spec.host, key: spec.key.name });
      expect(ns.transfer.notify).toContainEqual({ address: `${spec.host}:53`, key: spec.key.name });
      expect(ns.listen).toEqual([`${spec.primary.host}:${spec.primary.port}`]);
    }
  });
});
