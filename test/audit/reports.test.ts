// The four report writers over one fixed report.
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/audit/report/index.ts';
import { RULES } from '../../src/audit/registry.ts';
import type { AuditReport } from '../../src/audit/run.ts';

const report: AuditReport = {
  domain: 'example.com',
  source: 'live',
  generatedAt: '2026-12-01T00:00:00.000Z',
  findings: [
    { id: 'spf-plus-all', severity: 'error', record: 'example.com TXT "v=spf1 +all"', message: '"+all" passes every sender', rfc: 'RFC 7208 5.1' },
    { id: 'dmarc-policy-none', severity: 'warning', record: '_dmarc.example.com TXT "v=DMARC1; p=none"', message: 'p=none | with a pipe', rfc: 'RFC 7489 6.3' },
    { id: 'mta-sts-missing', severity: 'info', record: '_mta-sts.example.com TXT', message: 'no v=STSv1 record', rfc: 'RFC 8461 3.1' },
  ],
  summary: { errors: 1, warnings: 1, infos: 1 },
  spfTree: ['example.com: v=spf1 +all', 'total: 0 DNS lookup(s) (limit 10), 0 void (limit 2)'],
};

describe('report writers', () => {
  it('json: exactly the documented shape (docs/audit.md)', () => {
    const parsed = JSON.parse(writeReport(report, 'json')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['domain', 'source', 'generatedAt', 'findings', 'summary']);
    expect(parsed.findings).toEqual(report.findings);
    expect(Object.keys((parsed.findings as object[])[0] as object)).toEqual(['id', 'severity', 'record', 'message', 'rfc']);
    expect(parsed.summary).toEqual({ errors: 1, warnings: 1, infos: 1 });
  });

  it('text: grouped by family, coloured only when asked, with the lookup tree', () => {
    const plain = writeReport(report, 'text');
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain.indexOf('SPF\n')).toBeLessThan(plain.indexOf('DMARC\n'));
    expect(plain.indexOf('DMARC\n')).toBeLessThan(plain.indexOf('MTA-STS\n'));
    expect(plain).toMatch(/error\s+spf-plus-all {2}"\+all" passes every sender\n\s+record: example\.com TXT "v=spf1 \+all"\n\s+see RFC 7208 5\.1/);
    expect(plain).toMatch(/SPF lookup tree\n {2}example\.com: v=spf1 \+all/);
    expect(writeReport(report, 'text', { colour: true })).toMatch(/\x1b\[31merror/);
  });

  it('markdown: a table with escaped cells and RFC links', () => {
    const md = writeReport(report, 'markdown');
    expect(md).toMatch(/^### mxpool audit: `example\.com` \(live DNS\)/);
    expect(md).toMatch(/\| ❌ error \| `spf-plus-all` \| `example\.com TXT "v=spf1 \+all"` \| "\+all" passes every sender \| \[RFC 7208 5\.1\]\(https:\/\/www\.rfc-editor\.org\/rfc\/rfc7208#section-5\.1\) \|/);
    expect(md).toMatch(/p=none \\\| with a pipe/);
    expect(md).toMatch(/<details><summary>SPF lookup tree<\/summary>/);
  });

  it('sarif: 2.1.0, every rule with a help link to its RFC section, results pointing at rules', () => {
    const sarif = JSON.parse(writeReport(report, 'sarif', { version: '1.2.3' })) as {
      version: string;
      runs: { tool: { driver: { version: string; rules: { id: string; helpUri: string; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0] as (typeof sarif.runs)[number];
    expect(run.tool.driver.version).toBe('1.2.3');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const rule of run.tool.driver.rules) expect(rule.helpUri).toMatch(/^https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+#section-[\d.]+$/);
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([['spf-plus-all', 'error'], ['dmarc-policy-none', 'warning'], ['mta-sts-missing', 'note']]);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });
});

describe('the registry', () => {
  it('has unique, stable-looking ids prefixed by their family', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(rule.id.startsWith(`${rule.family}-`)).toBe(true);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.fix.length).toBeGreaterThan(5);
    }
  });
});

describe('docs/audit.md', () => {
  it('documents every rule id with its severity', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8');
    for (const rule of RULES) expect(doc, rule.id).toMatch(new RegExp(`\\| \`${rule.id}\` \\| ${rule.severity} \\|`));
  });
});
