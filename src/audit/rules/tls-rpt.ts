// TLS-RPT (RFC 8460): a domain that asks senders for TLS (MTA-STS or DANE) should hear when it fails.
import { recordsOf } from '../resolver.ts';
import { recordLabel, type Rule } from '../types.ts';
import { stsFacts } from './mta-sts.ts';
import { daneFacts } from './dane.ts';

type TlsRptRule = Omit<Rule, 'family'>;

export const tlsRptRules: TlsRptRule[] = [
  {
    id: 'tls-rpt-missing',
    severity: 'warning',
    rfc: { rfc: 8460, section: '3' },
    title: 'MTA-STS or DANE without a TLS-RPT record: failing deliveries go unreported',
    fix: 'Set auth.tlsRpt: { rua: ["mailto:..."] } (publishes "v=TLSRPTv1; rua=..." at _smtp._tls.<domain>)',
    async check(context) {
      const sts = await stsFacts(context);
      const dane = await daneFacts(context);
      const uses = [sts.texts.length > 0 ? 'MTA-STS' : '', dane.some((host) => host.records.length > 0) ? 'DANE' : ''].filter(Boolean);
      if (uses.length === 0) return [];
      const name = `_smtp._tls.${context.domain}`;
      const answer = await context.resolver.txt(name);
      if (answer.status === 'temperror' || answer.status === 'unresolvable') return [];
      const texts = recordsOf(answer).map((strings) => strings.join('')).filter((text) => /^v=TLSRPTv1(;|\s|$)/.test(text));
      const label = recordLabel(name, 'TXT', texts[0]);
      if (texts.length === 0) return [{ record: label, message: `the domain uses ${uses.join(' and ')} but has no v=TLSRPTv1 record at ${name}` }];
      if (texts.length > 1) return [{ record: label, message: `${texts.length} v=TLSRPTv1 records: senders use none (RFC 8460 3)` }];
      if (!/;\s*rua=\S/.test(texts[0] as string)) return [{ record: label, message: 'the record has no rua= (where reports go)' }];
      return [];
    },
  },
];
