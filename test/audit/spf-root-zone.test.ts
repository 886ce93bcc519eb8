// `mxpool spf --zone FILE` over a root-zone file: the RFC 7208 test suite, each document's zonedata
// written as ONE master file with `$ORIGIN .` (every name inside it), each case run through the real
// command (main(), in-process: the same code as the binary). A name the file lacks is NXDOMAIN, so
// the results are RFC 7208's: none, void lookups, permerror after redirect=. Cases whose evaluation
// meets a TIMEOUT in the zonedata are not runnable this way — a file cannot time out — and are
// skipped with that reason; every other case must give one of the suite's accepted results.
import { describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.ts';
import { evaluateSpf } from '../../src/audit/spf/evaluate.ts';
import type { Resolver } from '../../src/audit/resolver.ts';
import { zoneDataMasterFile, zoneDataResolver, type ZoneData } from './helpers/zonedata.ts';
import { loadYamlDocuments } from './conformance-data.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface SuiteTest {
  host: string;
  mailfrom: string;
  helo?: string;
  result: string | string[];
}
interface SuiteDoc {
  description: string;
  tests: Record<string, SuiteTest>;
  zonedata?: ZoneData;
}

async function spf(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await main(['spf', ...argv, '--log-level', 'silent']), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** The command line for one case. A null sender checks postmaster@HELO (RFC 7208 2.4): that is --domain HELO. */
function argvOf(test: SuiteTest, file: string): string[] {
  const helo = test.helo ? ['--helo', test.helo] : [];
  if (test.mailfrom === '') return ['--domain', test.helo ?? '', '--ip', test.host, ...helo, '--zone', file];
  const at = test.mailfrom.lastIndexOf('@');
  return ['--domain', test.mailfrom.slice(at + 1), '--sender', test.mailfrom, '--ip', test.host, ...helo, '--zone', file];
}

/** Does evaluating this case meet a TIMEOUT of the zonedata? (the in-memory suite resolver tells) */
async function meetsTimeout(zonedata: ZoneData, test: SuiteTest): Promise<boolean> {
  const inner = zoneDataResolver(zonedata);
  let timedOut = false;
  const spy = Object.fromEntries(
    Object.entries(inner).map(([type, ask]) => [type, async (name: string) => {
      const answer = await (ask as (n: string) => ReturnType<Resolver['txt']>)(name);
      if (answer.status === 'temperror' && /timeout/.test(answer.reason)) timedOut = true;
      return answer;
    }]),
  ) as unknown as Resolver;
  await evaluateSpf(spy, { ip: test.host, sender: test.mailfrom, helo: test.helo ?? '' });
  return timedOut;
}

const docs = loadYamlDocuments('spf/rfc7208-tests.yml') as SuiteDoc[];
const dir = tempDir('mxpool-spf-root-');
// decided before the tests are declared, so the cases left out show as skipped, with their reason
const timeouts = new Set<SuiteTest>();
for (const doc of docs) for (const test of Object.values(doc.tests)) if (await meetsTimeout(doc.zonedata ?? {}, test)) timeouts.add(test);

describe('spf --zone with a root-zone file: the RFC 7208 suite', () => {
  docs.forEach((doc, index) => {
    describe(doc.description, () => {
      const file = join(dir, `suite-${index}.zone`);
      writeFileSync(file, zoneDataMasterFile(doc.zonedata ?? {}));
      for (const [name, test] of Object.entries(doc.tests)) {
        if (timeouts.has(test)) {
          it.skip(`${name}: not runnable from a file (its evaluation meets a TIMEOUT of the zonedata; a file cannot time out)`, () => undefined);
          continue;
        }
        it(name, async () => {
          const accepted = Array.isArray(test.result) ? test.result : [test.result];
          const { code, out, err } = await spf(argvOf(test, file));
          expect(code, err).toBe(0);
          const [result, comment] = out.split('\n');
          expect(accepted, `${name}: got ${result} — ${comment}\n${err}`).toContain(result);
          expect(out).not.toMatch(/outside zone/);
        });
      }
    });
  });

  it('leaves out only the cases that meet a TIMEOUT', () => {
    const total = docs.reduce((sum, doc) => sum + Object.keys(doc.tests).length, 0);
    expect(total).toBeGreaterThan(200);
    // the suite has 8 TIMEOUT records; 6 cases reach one (txttimeout, nospftxttimeout, alltimeout,
    // include-temperror, exists-dnserr, exp-dns-error)
    expect(timeouts.size).toBe(6);
  });
});

describe('spf --zone: a name the root-zone file does not hold does not exist', () => {
  const rootFile = (name: string, head: string) => {
    const file = join(dir, name);
    writeFileSync(file, `${head}\nred.example. 300 IN TXT "v=spf1 redirect=nx.example."\nvoid.example. 300 IN TXT "v=spf1 a:nx1.example a:nx2.example a:nx3.example -all"\nok.example. 300 IN TXT "v=spf1 a:nx1.example ip4:192.0.2.1 -all"\n`);
    return file;
  };
  const files = {
    '$ORIGIN .': rootFile('origin.zone', '$ORIGIN .\n$TTL 300'),
    'an SOA at .': rootFile('soa.zone', '. 300 IN SOA a.root. hostmaster.root. 1 1800 900 604800 300'),
  };
  for (const [how, file] of Object.entries(files)) {
    it.each([
      ['a domain not in the file: none (no SPF record), not temperror', 'missing.example', 'none'],
      ['redirect= to a name not in the file: permerror', 'red.example', 'permerror'],
      ['three void lookups (names not in the file): permerror', 'void.example', 'permerror'],
      ['one void lookup, then a match: pass', 'ok.example', 'pass'],
    ])(`${how}: %s`, async (_what, domain, expected) => {
      const { code, out } = await spf(['--domain', domain, '--ip', '192.0.2.1', '--zone', file]);
      expect(code).toBe(0);
      expect(out.split('\n')[0]).toBe(expected);
      expect(out).not.toMatch(/outside zone|no nameserver/);
    });
  }
});
