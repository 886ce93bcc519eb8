// DNS rules: whether the domain could be read at all. A domain whose nameservers time out, answer
// SERVFAIL or are lame is reported once, with the reason, instead of by every rule in turn (the
// runner skips the other rules for it: they would only repeat the same failure).
import type { AuditContext, Rule } from '../types.ts';
import { recordLabel } from '../types.ts';

type DnsRule = Omit<Rule, 'family'>;

/**
 * Whether the two questions every audit asks first (TXT and MX at the domain) both failed the same
 * way: temperror (the domain's nameservers cannot be read) or unresolvable (the nameserver given
 * refuses the domain); with the reasons.
 */
export function unreadable(context: AuditContext): Promise<{ status: 'temperror' | 'unresolvable'; reason: string } | undefined> {
  return context.memo('dns-unreadable', async () => {
    const [txt, mx] = await Promise.all([context.resolver.txt(context.domain), context.resolver.mx(context.domain)]);
    for (const status of ['temperror', 'unresolvable'] as const) {
      if (txt.status === status && mx.status === status) return { status, reason: [...new Set([txt.reason, mx.reason])].join('; ') };
    }
    return undefined;
  });
}

/** Rule ids that mean "this domain could not be audited": the runner stops at them. */
export const UNREADABLE_IDS: readonly string[] = ['dns-temperror', 'dns-refused'];

export const dnsRules: DnsRule[] = [
  {
    id: 'dns-temperror',
    severity: 'error',
    rfc: { rfc: 2308, section: '7' },
    title: 'The domain\'s nameservers do not answer (timeout, SERVFAIL or lame delegation): senders defer its mail and receivers return temperror',
    fix: 'Check the delegation (NS records at the parent) and that every listed nameserver answers for the zone with authority',
    async check(context) {
      const found = await unreadable(context);
      return found?.status === 'temperror' ? [{ record: recordLabel(context.domain, 'NS'), message: found.reason }] : [];
    },
  },
  {
    id: 'dns-refused',
    severity: 'warning',
    rfc: { rfc: 1035, section: '4.1.1' },
    title: 'The nameserver asked refuses every question about the domain (an authoritative server that does not serve it): the domain was not audited',
    fix: 'Pass --nameserver a resolver (or the authoritative server) that answers for the domain',
    async check(context) {
      const found = await unreadable(context);
      return found?.status === 'unresolvable' ? [{ record: recordLabel(context.domain, 'NS'), message: found.reason }] : [];
    },
  },
];
