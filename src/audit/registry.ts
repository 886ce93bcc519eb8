// The one registry of audit rules: every rule as data { id, severity, rfc, check }, by family.
// Ids are stable (documented in docs/audit.md); never renumber or reuse one.
import { dkimRules } from './rules/dkim.ts';
import { dnsRules } from './rules/dns.ts';
import { dmarcRules } from './rules/dmarc.ts';
import { mxRules } from './rules/mx.ts';
import { poolRules } from './rules/pool.ts';
import { ptrRules } from './rules/ptr.ts';
import { spfRules } from './rules/spf.ts';
import { tenantRules } from './rules/tenant.ts';
import { relayRules } from './rules/relay.ts';
import { dnsblRules } from './rules/dnsbl.ts';
import { mtaStsRules } from './rules/mta-sts.ts';
import { tlsRptRules } from './rules/tls-rpt.ts';
import { daneRules } from './rules/dane.ts';
import type { Family, Rule } from './types.ts';

const families: [Family, Omit<Rule, 'family'>[]][] = [
  // first: a domain that cannot be read is reported once, and the runner skips the rest
  ['dns', dnsRules],
  ['tenant', tenantRules],
  ['spf', spfRules],
  ['dmarc', dmarcRules],
  ['dkim', dkimRules],
  ['mx', mxRules],
  ['ptr', ptrRules],
  ['pool', poolRules],
  ['relay', relayRules],
  ['dnsbl', dnsblRules],
  ['mta-sts', mtaStsRules],
  ['tls-rpt', tlsRptRules],
  ['dane', daneRules],
];

export const RULES: readonly Rule[] = families.flatMap(([family, rules]) => rules.map((rule) => ({ ...rule, family })));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id);
}
