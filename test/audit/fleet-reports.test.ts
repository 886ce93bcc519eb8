// The report writers of many domains over fixed reports: JSON (the documented shape), CSV (read back by
// csv-parse, RFC 4180 quoting), text and Markdown (summary table first), SARIF (one run, the
// schema's required fields); and the exit-code rule.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { fleetFailsAt, fleetReport, writeFleetReport, FLEET_FORMATS } from '../../src/audit/report/index.ts';
import { csvField } from '../../src/audit/report/csv.ts';
import type { AuditReport } from '../../src/audit/run.ts';
import type { Finding } from '../../src/audit/types.ts';
import { sarifViolations } from './helpers/sarif.ts';

function report(domain: string, findings: Finding[]): AuditReport {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return { domain, source: 'live', generatedAt: '2026-12-01T00:00:01.000Z', findings, summary: { errors: count('error'), warnings: count('warning'), infos: count('info') }, spfTree: [`${domain}: v=spf1 -all`, 'total: 0 DNS lookup(s) (limit 10), 0 void (limit 2)'] };
}

const broken = report('broken.test', [
  { id: 'spf-too-many-lookups', severity: 'error', record: 'broken.test TXT "v=spf1 include:a include:b"', message: '11 DNS lookups in the worst case', rfc: 'RFC 7208 4.6.4' },
  { id: 'spf-include-no-record', severity: 'error', record: '_spf.gone.test TXT', message: 'include:_spf.gone.test: no SPF record', rfc: 'RFC 7208 5.2' },
  { id: 'spf-include-no-record', severity: 'error', record: '_spf.other.test TXT', message: 'include:_spf.other.test: no SPF record', rfc: 'RFC 7208 5.2' },
  { id: 'dmarc-policy-none', severity: 'warning', record: '_dmarc.broken.test TXT "v=DMARC1; p=none"', message: 'p=none | with a pipe', rfc: 'RFC 7489 6.3' },
]);
const clean = report('clean.test', []);
const advice = report('advice.test', [{ id: 'dmarc-no-rua', severity: 'info', record: '_dmarc.advice.test TXT "v=DMARC1; p=reject"', message: 'no rua', rfc: 'RFC 7489 6.3' }]);
const warned = report('warned.test', [{ id: 'mx-missing', severity: 'warning', record: 'warned.test MX', message: 'warned.test has no MX record', rfc: 'RFC 5321 5.1' }]);
const fleet = fleetReport([broken, clean, advice, warned], { queries: 1234, now: Date.UTC(2026, 11, 1) });

describe('the report of many domains', () => {
  it('summary: domains, withErrors, errors, warnings, infos, queries', () => {
    expect(fleet.summary).toEqual({ domains: 4, withErrors: 1, errors: 3, warnings: 2, infos: 1, queries: 1234 });
    expect(fleet.generatedAt).toBe('2026-12-01T00:00:00.000Z');
  });

  it('exit-code rule: any domain at or above --fail-on', () => {
    expect(fleetFailsAt(fleet, 'error')).toBe(true);
    const quiet = fleetReport([clean, advice, warned], { queries: 0 });
    expect(fleetFailsAt(quiet, 'error')).toBe(false);
    expect(fleetFailsAt(quiet, 'warning')).toBe(true);
    expect(fleetFailsAt(fleetReport([clean, advice], { queries: 0 }), 'warning')).toBe(false);
    expect(fleetFailsAt(fleetReport([], { queries: 0 }), 'warning')).toBe(false);
  });

  it('json: exactly the documented shape (docs/audit.md), each domain today\'s per-domain report', () => {
    const parsed = JSON.parse(writeFleetReport(fleet, 'json')) as { generatedAt: string; domains: Record<string, unknown>[]; summary: Record<string, number> };
    expect(Object.keys(parsed)).toEqual(['generatedAt', 'domains', 'summary']);
    expect(Object.keys(parsed.summary)).toEqual(['domains', 'withErrors', 'errors', 'warnings', 'infos', 'queries']);
    expect(parsed.domains.map((d) => d.domain)).toEqual(['broken.test', 'clean.test', 'advice.test', 'warned.test']);
    for (const domain of parsed.domains) expect(Object.keys(domain)).toEqual(['domain', 'source', 'generatedAt', 'findings', 'summary']);
    expect(parsed.domains[0]?.findings).toEqual(broken.findings);
  });

  it('csv: one row per domain, read back by a CSV parser', () => {
    const text = writeFleetReport(fleet, 'csv');
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      { domain: 'broken.test', errors: '3', warnings: '1', infos: '0', ids: 'spf-too-many-lookups spf-include-no-record dmarc-policy-none' },
      { domain: 'clean.test', errors: '0', warnings: '0', infos: '0', ids: '' },
      { domain: 'advice.test', errors: '0', warnings: '0', infos: '1', ids: 'dmarc-no-rua' },
      { domain: 'warned.test', errors: '0', warnings: '1', infos: '0', ids: 'mx-missing' },
    ]);
  });

  it('csv: fields with commas, quotes and line breaks are quoted (RFC 4180) and read back intact', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(3)).toBe('3');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    const odd = report('odd,"name"\r\nx', [{ id: 'mx-missing', severity: 'warning', record: 'x MX', message: 'm', rfc: 'RFC 5321 5.1' }]);
    const rows = parse(writeFleetReport(fleetReport([odd, clean], { queries: 0 }), 'csv'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.domain)).toEqual(['odd,"name"\r\nx', 'clean.test']);
  });

  it('text: the summary table first, then the findings of each domain that has any', () => {
    const text = writeFleetReport(fleet, 'text');
    expect(text).not.toMatch(/\x1b\[/);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^audit of 4 domain\(s\) \(live DNS\), 2026-12-01T00:00:00\.000Z$/);
    expect(lines[2]).toMatch(/^DOMAIN\s+ERRORS\s+WARNINGS\s+INFOS\s+RULES$/);
    expect(lines[3]).toMatch(/^broken\.test\s+3\s+1\s+0\s+spf-too-many-lookups spf-include-no-record dmarc-policy-none$/);
    expect(lines[4]).toMatch(/^clean\.test\s+0\s+0\s+0$/);
    expect(text).toMatch(/4 domain\(s\), 1 with errors: 3 error\(s\), 2 warning\(s\), 1 info; 1234 DNS queries sent/);
    const table = text.indexOf('DOMAIN');
    const section = text.indexOf('== broken.test');
    expect(section).toBeGreaterThan(table);
    expect(text).toMatch(/== broken\.test\n\n {2}SPF\n {4}error {3}spf-too-many-lookups {2}11 DNS lookups/);
    expect(text).not.toContain('== clean.test');
    expect(text).toContain('== advice.test');
    // the lookup tree explains an SPF error; a domain without one does not get it
    expect(text.slice(section, text.indexOf('== advice.test'))).toContain('SPF lookup tree');
    expect(text.slice(text.indexOf('== advice.test'))).not.toContain('SPF lookup tree');
    expect(writeFleetReport(fleet, 'text', { colour: true })).toMatch(/\x1b\[31mbroken\.test/);
  });

  it('markdown: totals and the summary table first, then a findings table per domain', () => {
    const md = writeFleetReport(fleet, 'markdown');
    expect(md).toMatch(/^### mxpool audit: 4 domain\(s\) \(live DNS\)\n\n\*\*1\*\* of 4 domain\(s\) with errors: \*\*3\*\* error\(s\), \*\*2\*\* warning\(s\), \*\*1\*\* info; 1234 DNS queries sent/);
    expect(md).toMatch(/\| domain \| errors \| warnings \| infos \| rules \|\n\|---\|---:\|---:\|---:\|---\|\n\| `broken\.test` \| 3 \| 1 \| 0 \| `spf-too-many-lookups` `spf-include-no-record` `dmarc-policy-none` \|/);
    expect(md).toContain('| `clean.test` | 0 | 0 | 0 |  |');
    expect(md.indexOf('#### `broken.test`')).toBeGreaterThan(md.indexOf('| `warned.test` |'));
    expect(md).toMatch(/\| ❌ error \| `spf-too-many-lookups` \| `broken\.test TXT "v=spf1 include:a include:b"` \| 11 DNS lookups in the worst case \| \[RFC 7208 4\.6\.4\]\(https:\/\/www\.rfc-editor\.org\/rfc\/rfc7208#section-4\.6\.4\) \|/);
    expect(md).toMatch(/p=none \\\| with a pipe/);
    expect(md).not.toContain('#### `clean.test`');
  });

  it('sarif: one run with every domain\'s results, valid against the schema\'s required fields', () => {
    const log = JSON.parse(writeFleetReport(fleet, 'sarif', { version: '1.2.3' })) as Record<string, unknown> & { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[]; properties: { summary: unknown } }[] };
    expect(sarifViolations(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0] as (typeof log.runs)[number];
    expect(run.results).toHaveLength(6);
    expect(run.results.map((r) => r.locations[0]?.logicalLocations[0]?.fullyQualifiedName.split('/')[0])).toEqual(['broken.test', 'broken.test', 'broken.test', 'broken.test', 'advice.test', 'warned.test']);
    expect(run.results.map((r) => r.level)).toEqual(['error', 'error', 'error', 'warning', 'note', 'warning']);
    expect(run.properties.summary).toEqual(fleet.summary);
  });

  it('every format writes a report of no domains', () => {
    const empty = fleetReport([], { queries: 0 });
    for (const format of FLEET_FORMATS) expect(writeFleetReport(empty, format).length).toBeGreaterThan(0);
    expect(parse(writeFleetReport(empty, 'csv'), { columns: true })).toEqual([]);
  });
});

describe('the single-domain SARIF', () => {
  it('also has the schema\'s required fields', async () => {
    const { writeReport } = await import('../../src/audit/report/index.ts');
    expect(sarifViolations(JSON.parse(writeReport(broken, 'sarif')) as Record<string, unknown>)).toEqual([]);
  });
});
