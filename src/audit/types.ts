// The auditor's data: rules are plain objects { id, severity, rfc, check } in one registry
// (registry.ts); a check looks at the AuditContext and returns hits; the runner turns hits into
// findings that name the rule, the record and the RFC section.
import type { Config } from '../config/schema.ts';
import type { HealthSnapshot } from '../model.ts';
import type { Resolver } from './resolver.ts';
import type { RetiredAddress } from '../auth/senders.ts';
import type { TenantExpectation } from './rules/tenant.ts';
import type { TransportSources } from './transport-sources.ts';

export type Severity = 'error' | 'warning' | 'info';
export type Family = 'dns' | 'tenant' | 'spf' | 'dmarc' | 'dkim' | 'mx' | 'ptr' | 'pool' | 'relay' | 'dnsbl' | 'mta-sts' | 'tls-rpt' | 'dane';

/** What the checks beside the probe found (serve, probe): relay security findings and DNSBL verdicts. */
export interface HygieneFacts {
  /** one per host whose pool has `security` and that was checked */
  security: { host: string; pool: string; findings: { id: string; message: string }[] }[];
  /** one per outbound host and DNSBL zone that was looked up */
  dnsbl: { host: string; address: string; zone: string; listed: boolean; status: 'listed' | 'clean' | 'error' | 'unknown'; codes: string[]; reason: string }[];
}

export interface RfcRef {
  rfc: number;
  section: string;
}

/** One problem a check found: which record, what is wrong. */
export interface Hit {
  record: string;
  message: string;
  /** for a rule whose severity depends on the domain (dmarc-missing): overrides the rule's */
  severity?: Severity;
}

export interface Rule {
  /** stable, lower-case, dash-separated, prefixed by family */
  id: string;
  family: Family;
  severity: Severity;
  rfc: RfcRef;
  /** one line: what the rule means */
  title: string;
  /** one line: how to fix it */
  fix: string;
  check(context: AuditContext): Promise<Hit[]>;
}

export interface Finding {
  id: string;
  severity: Severity;
  record: string;
  message: string;
  rfc: string;
}

export interface AuditContext {
  domain: string;
  source: 'live' | 'desired';
  resolver: Resolver;
  /** DKIM selectors to check (from the config or --dkim-selector) */
  dkimSelectors: readonly string[];
  /** present for `--config` audits and in `serve`: enables the pool-consistency rules */
  config?: Config;
  health?: HealthSnapshot;
  /** addresses removed from the config but still in SPF for their grace period (serve) */
  retired?: readonly RetiredAddress[];
  /** present when the domain is a tenant of the config: what it must hold (enables the tenant rules; the pool rules are the top-level zone's) */
  tenant?: TenantExpectation;
  /** relay security findings and DNSBL verdicts, when the checks ran: enables the relay- and dnsbl- rules */
  hygiene?: HygieneFacts;
  /** the MTA-STS policy and the keys MX hosts present (fetched live, or known to serve); absent: those rules skip */
  transport?: TransportSources;
  now: number;
  /** shares one computation (the SPF tree, the DMARC discovery) between the rules that need it */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export function rfcText(ref: RfcRef): string {
  return `RFC ${ref.rfc} ${ref.section}`;
}

export function rfcUrl(ref: RfcRef): string {
  const section = /^[0-9A-Z]+(\.\d+)*$/.test(ref.section) ? `#section-${ref.section}` : '';
  return `https://www.rfc-editor.org/rfc/rfc${ref.rfc}${section}`;
}

/** `example.com TXT "v=spf1 -all"` — the record a finding is about; value left out when none. */
export function recordLabel(name: string, type: string, value?: string): string {
  return value === undefined ? `${name} ${type}` : `${name} ${type} ${JSON.stringify(value)}`;
}
