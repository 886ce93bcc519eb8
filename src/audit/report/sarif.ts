// SARIF 2.1.0, for code-scanning UIs: one rule per registry entry (help link to the RFC section),
// one result per finding. DNS records have no file, so results carry a logical location
// (domain/record). One domain or many: always a single run.
import { RULES } from '../registry.ts';
import type { AuditReport } from '../run.ts';
import { rfcText, rfcUrl, type Finding, type Severity } from '../types.ts';
import type { FleetReport } from './fleet.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function driver(version: string) {
  return {
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
  };
}

function results(domain: string, findings: readonly Finding[]) {
  const index = new Map(RULES.map((rule, i) => [rule.id, i]));
  return findings.map((f) => ({
    ruleId: f.id,
    ruleIndex: index.get(f.id) ?? -1,
    level: LEVEL[f.severity],
    message: { text: `${f.message} (${f.rfc})` },
    locations: [{ logicalLocations: [{ name: f.record, fullyQualifiedName: `${domain}/${f.record}`, kind: 'resource' }] }],
    partialFingerprints: { recordAndRule: `${f.id}:${f.record}` },
  }));
}

function sarifLog(run: Record<string, unknown>): string {
  return `${JSON.stringify({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] }, null, 2)}\n`;
}

export function sarifReport(report: AuditReport, version = '0.0.0'): string {
  return sarifLog({
    tool: { driver: driver(version) },
    automationDetails: { id: `mxpool-audit/${report.domain}/` },
    invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
    results: results(report.domain, report.findings),
  });
}

/** Many domains: one run holding every domain's results; the summary in the run's properties. */
export function fleetSarifReport(report: FleetReport, version = '0.0.0'): string {
  return sarifLog({
    tool: { driver: driver(version) },
    automationDetails: { id: 'mxpool-audit/domains/' },
    invocations: [{ executionSuccessful: true, startTimeUtc: report.generatedAt }],
    results: report.domains.flatMap((domain) => results(domain.domain, domain.findings)),
    properties: { summary: report.summary },
  });
}
