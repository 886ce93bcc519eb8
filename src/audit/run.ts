// Runs every rule of the registry against one domain and returns the report. Plain async function:
// the `audit` command prints it, `serve` runs it on audit.interval and shows the findings.
import type { Config } from '../config/schema.ts';
import type { HealthSnapshot } from '../model.ts';
import type { RetiredAddress } from '../auth/senders.ts';
import { RULES } from './registry.ts';
import { UNREADABLE_IDS } from './rules/dns.ts';
import type { TenantExpectation } from './rules/tenant.ts';
import { cachingResolver, normaliseName, type Resolver } from './resolver.ts';
import { spfFacts } from './facts.ts';
import { renderTree } from './spf/tree.ts';
import { rfcText, type AuditContext, type Finding, type HygieneFacts, type Rule, type Severity } from './types.ts';
import type { TransportSources } from './transport-sources.ts';

export interface AuditOptions {
  domain: string;
  source: 'live' | 'desired';
  resolver: Resolver;
  dkimSelectors?: readonly string[];
  config?: Config;
  health?: HealthSnapshot;
  /** addresses removed from the config that SPF keeps for their grace period: not stale */
  retired?: readonly RetiredAddress[];
  /** the domain is a tenant of the config: what it must hold (the tenant rules) */
  tenant?: TenantExpectation;
  /** relay security findings and DNSBL verdicts (serve): the relay- and dnsbl- rules report them */
  hygiene?: HygieneFacts;
  /** the MTA-STS policy and the keys MX hosts present (src/audit/transport-sources.ts) */
  transport?: TransportSources;
  /** epoch ms (default Date.now()) */
  now?: number;
  /** a subset of the registry (tests); default every rule */
  rules?: readonly Rule[];
}

export interface AuditReport {
  domain: string;
  source: 'live' | 'desired';
  generatedAt: string;
  findings: Finding[];
  summary: { errors: number; warnings: number; infos: number };
  /** the worst-case SPF lookup tree as text lines (text and markdown reports; not in the JSON shape) */
  spfTree: string[];
}

/** Families whose rules do not read the zone: they run even when it cannot be read. */
const READS_NO_ZONE: ReadonlySet<string> = new Set(['dns', 'relay', 'dnsbl']);

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const now = options.now ?? Date.now();
  const memo = new Map<string, Promise<unknown>>();
  const context: AuditContext = {
    domain: normaliseName(options.domain),
    source: options.source,
    resolver: cachingResolver(options.resolver),
    dkimSelectors: options.dkimSelectors ?? options.config?.auth.dkim.map((entry) => entry.selector) ?? [],
    now,
    memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let hit = memo.get(key);
      if (!hit) {
        hit = compute();
        memo.set(key, hit);
      }
      return hit as Promise<T>;
    },
  };
  if (options.config) context.config = options.config;
  if (options.health) context.health = options.health;
  if (options.retired) context.retired = options.retired;
  if (options.tenant) context.tenant = options.tenant;
  if (options.hygiene) context.hygiene = options.hygiene;
  if (options.transport) context.transport = options.transport;

  const findings: Finding[] = [];
  for (const rule of options.rules ?? RULES) {
    // an unreadable domain (dns-temperror, dns-refused) is reported once: every other rule would
    // repeat it — except the relay- and dnsbl- rules, which judge the relays, not the zone's DNS
    if (!READS_NO_ZONE.has(rule.family) && findings.some((f) => UNREADABLE_IDS.includes(f.id))) continue;
    try {
      for (const hit of await rule.check(context)) {
        findings.push({ id: rule.id, severity: hit.severity ?? rule.severity, record: hit.record, message: hit.message, rfc: rfcText(rule.rfc) });
      }
    } catch (error) {
      // a bug in one rule must not hide the others' findings, nor stop the daemon's schedule
      findings.push({ id: rule.id, severity: 'warning', record: context.domain, message: `the check failed: ${error instanceof Error ? error.message : String(error)}`, rfc: rfcText(rule.rfc) });
    }
  }
  findings.sort((x, y) => ORDER[x.severity] - ORDER[y.severity]);
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  return {
    domain: context.domain,
    source: options.source,
    generatedAt: new Date(now).toISOString(),
    findings,
    summary: { errors: count('error'), warnings: count('warning'), infos: count('info') },
    // the rules already reported a failed SPF walk; the tree is then simply left out
    spfTree: await spfFacts(context).then((facts) => renderTree(facts.tree), () => []),
  };
}

/** True when the report has a finding at or above the threshold (`--fail-on`). */
export function failsAt(report: AuditReport, threshold: 'error' | 'warning'): boolean {
  return report.findings.some((f) => ORDER[f.severity] <= ORDER[threshold]);
}
