// The RFC 7208 test suite (pyspf/openspf) and the blitiri lookup-limit cases through our SPF
// evaluation path: evaluateSpf (mailauth's spf(), strict) over a Resolver built from zonedata.
import { describe, expect, it } from 'vitest';
import { evaluateSpf } from '../../src/audit/spf/evaluate.ts';
import { zoneDataResolver, type ZoneData } from './helpers/zonedata.ts';
import { loadYamlDocuments } from './conformance-data.ts';

interface SuiteTest {
  host: string;
  mailfrom: string;
  helo?: string;
  result: string | string[];
  spec?: string | string[];
}
interface SuiteDoc {
  description: string;
  tests: Record<string, SuiteTest>;
  zonedata?: ZoneData;
}

/** blitiri uses single-label names (d00, mx10) that no validating SPF library accepts: give them a suffix. */
function qualifySingleLabels(doc: SuiteDoc): SuiteDoc {
  const qualify = (name: string) => (name.includes('.') || name.includes('%') || name === '' ? name : `${name}.test`);
  const zonedata: ZoneData = {};
  for (const [name, records] of Object.entries(doc.zonedata ?? {})) {
    zonedata[qualify(name)] = records.map((record) => {
      if (typeof record !== 'object' || record === null) return record;
      const [type, value] = Object.entries(record)[0] as [string, unknown];
      if (type === 'MX') {
        const [preference, exchange] = value as [number, string];
        return { MX: [preference, qualify(exchange)] };
      }
      if (type === 'SPF' || type === 'TXT') {
        const text = String(value).replace(/\s+/g, ' ');
        return { [type]: text.replace(/((?:^|\s)[+\-~?]?(?:include|a|mx|ptr|exists):|(?:^|\s)redirect=)([^\s/]+)/gi, (_m, head: string, domain: string) => head + qualify(domain)) };
      }
      return record;
    });
  }
  const tests: Record<string, SuiteTest> = {};
  for (const [name, test] of Object.entries(doc.tests)) {
    const at = test.mailfrom.lastIndexOf('@');
    tests[name] = { ...test, mailfrom: at < 0 ? test.mailfrom : `${test.mailfrom.slice(0, at + 1)}${qualify(test.mailfrom.slice(at + 1))}` };
  }
  return { ...doc, zonedata, tests };
}

function suite(file: string, prepare: (doc: SuiteDoc) => SuiteDoc): void {
  const docs = loadYamlDocuments(file) as SuiteDoc[];
  it(`${file} has test cases`, () => {
    // guards against a truncated or emptied file passing vacuously
    expect(docs.reduce((sum, doc) => sum + Object.keys(doc.tests ?? {}).length, 0)).toBeGreaterThan(file.includes('rfc7208') ? 100 : 10);
  });
  for (const raw of docs) {
    const doc = prepare(raw);
    describe(doc.description, () => {
      const resolver = zoneDataResolver(doc.zonedata ?? {});
      for (const [name, test] of Object.entries(doc.tests)) {
        it(name, async () => {
          const accepted = Array.isArray(test.result) ? test.result : [test.result];
          const verdict = await evaluateSpf(resolver, { ip: test.host, sender: test.mailfrom, helo: test.helo ?? '' });
          expect(accepted, `${name} (spec ${String(test.spec)}): got ${verdict.result} — ${verdict.comment}`).toContain(verdict.result);
        });
      }
    });
  }
}

describe('RFC 7208 test suite', () => suite('spf/rfc7208-tests.yml', (doc) => doc));
describe('blitiri SPF limit cases', () => suite('spf/blitirispf-tests.yml', qualifySingleLabels));
