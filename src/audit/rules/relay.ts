// Relay security rules: the findings of the relay security checks (src/security/), one rule per
// finding id, built from the one table of ids, references and fixes (src/security/findings.ts).
// They report only when the checks ran (serve, or an audit handed their results): the zone alone
// cannot tell whether a relay is open.
import { SECURITY_FINDINGS, type SecurityFindingId } from '../../security/findings.ts';
import type { Hit, Rule } from '../types.ts';

type RelayRule = Omit<Rule, 'family'>;

export const relayRules: RelayRule[] = (Object.entries(SECURITY_FINDINGS) as [SecurityFindingId, (typeof SECURITY_FINDINGS)[SecurityFindingId]][]).map(([id, info]) => ({
  id: info.rule,
  severity: info.severity,
  rfc: info.rfc,
  title: info.title,
  fix: info.fix,
  async check(context) {
    const hits: Hit[] = [];
    for (const host of context.hygiene?.security ?? []) {
      for (const finding of host.findings) if (finding.id === id) hits.push({ record: `${host.host} SMTP`, message: `${id}: ${finding.message}` });
    }
    return hits;
  },
}));
