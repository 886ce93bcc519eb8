// SARIF 2.1.0, for code-scanning UIs: one rule per registry entry (help link to the RFC section),
// one result per finding. DNS records have no file, so results carry a logical location.
import { RULES } from '../registry.ts';
import type { AuditReport } from '../run.ts';
import { rfcText, rfcUrl, type Severity } from '../types.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export function sarifReport(report: AuditReport, version = '0.0.0'): string {
  const index = new Map(RULES.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mxpool',
            version,
            informationUri: 'https://www.rfc-editor.org/rfc/rfc7208',
            rules: RULES.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: rule.title },
              fullDescription: { text: `${rule.title}. Fix: ${rule.fix}.` },
              help: { text: `${rule.fix} (${rfcText(rule.rfc)})`, markdown: `${rule.fix} — [${rfcText(rule.rfc)}](${rfcUrl(rule.rfc)})` },
              helpUri: rfcUrl(rule.rfc),
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: { tags: [rule.family, 'dns', 'email'] },
            })),
          },
        },
        automationDetails: { id: `mxpool-audit/${report.domain}/` },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        results: report.findings.map((f) => ({
          ruleId: f.id,
          ruleIndex: index.get(f.id) ?? -1,
          level: LEVEL[f.severity],
          message: { text: `${f.message} (${f.rfc})` },
          locations: [{ logicalLocations: [{ name: f.record, fullyQualifiedName: `${report.domain}/${f.record}`, kind: 'resource' }] }],
          partialFingerprints: { recordAndRule: `${f.id}:${f.record}` },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
