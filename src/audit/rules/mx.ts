// MX rules (RFC 5321 5.1, RFC 7505, RFC 2181 10.3): the domain's MX set and each target.
import { isIP } from 'node:net';
import { isVoid, recordsOf, type Answer, type MxRecord } from '../resolver.ts';
import { recordLabel, type AuditContext, type Hit, type Rule } from '../types.ts';

type MxRule = Omit<Rule, 'family'>;

interface TargetFacts {
  mx: MxRecord;
  cname: Answer<string>;
  a: Answer<string>;
  aaaa: Answer<string>;
}

interface MxFacts {
  answer: Answer<MxRecord>;
  isNull: boolean;
  targets: TargetFacts[];
}

function mxFacts(context: AuditContext): Promise<MxFacts> {
  return context.memo('mx', async () => {
    const answer = await context.resolver.mx(context.domain);
    const records = recordsOf(answer);
    const isNull = records.some((mx) => mx.exchange === '' || mx.exchange === '.');
    const targets: TargetFacts[] = [];
    for (const mx of records) {
      if (mx.exchange === '' || mx.exchange === '.' || isIP(mx.exchange) !== 0) continue;
      const [cname, a, aaaa] = await Promise.all([context.resolver.cname(mx.exchange), context.resolver.a(mx.exchange), context.resolver.aaaa(mx.exchange)]);
      targets.push({ mx, cname, a, aaaa });
    }
    return { answer, isNull, targets };
  });
}

const mxLabel = (context: AuditContext, mx?: MxRecord) => recordLabel(context.domain, 'MX', mx && `${mx.preference} ${mx.exchange || '.'}`);

function perTarget(pick: (t: TargetFacts) => string | undefined) {
  return async (context: AuditContext): Promise<Hit[]> =>
    (await mxFacts(context)).targets.flatMap((t) => {
      const message = pick(t);
      return message ? [{ record: mxLabel(context, t.mx), message }] : [];
    });
}

export const mxRules: MxRule[] = [
  {
    id: 'mx-missing',
    severity: 'warning',
    rfc: { rfc: 5321, section: '5.1' },
    title: 'No MX record: senders fall back to the domain\'s A/AAAA record (implicit MX)',
    fix: 'Publish MX records (an inbound pool), or a null MX "0 ." if the domain receives no mail',
    async check(context) {
      const { answer } = await mxFacts(context);
      return answer.status === 'nxdomain' || answer.status === 'nodata' ? [{ record: mxLabel(context), message: `${context.domain} has no MX record` }] : [];
    },
  },
  {
    id: 'mx-lookup-failed',
    severity: 'warning',
    rfc: { rfc: 5321, section: '5.1' },
    title: 'An MX or MX-target lookup failed (SERVFAIL, timeout): senders defer mail',
    fix: 'Check the nameservers of the name shown',
    async check(context) {
      const facts = await mxFacts(context);
      const hits: Hit[] = facts.answer.status === 'temperror' ? [{ record: mxLabel(context), message: facts.answer.reason }] : [];
      for (const t of facts.targets) for (const answer of [t.a, t.aaaa]) if (answer.status === 'temperror') hits.push({ record: mxLabel(context, t.mx), message: answer.reason });
      return hits;
    },
  },
  {
    id: 'mx-null',
    severity: 'info',
    rfc: { rfc: 7505, section: '3' },
    title: 'Null MX: the domain declares it accepts no mail',
    fix: 'Nothing, if intended',
    async check(context) {
      const facts = await mxFacts(context);
      return facts.isNull && recordsOf(facts.answer).length === 1 ? [{ record: mxLabel(context, recordsOf(facts.answer)[0]), message: 'the domain receives no mail' }] : [];
    },
  },
  {
    id: 'mx-null-not-alone',
    severity: 'error',
    rfc: { rfc: 7505, section: '3' },
    title: 'A null MX ("0 .") next to other MX records: senders treat the set as invalid',
    fix: 'Keep either the null MX alone or only real MX records',
    async check(context) {
      const facts = await mxFacts(context);
      const records = recordsOf(facts.answer);
      return facts.isNull && records.length > 1 ? [{ record: mxLabel(context), message: `null MX together with ${records.length - 1} other MX record(s)` }] : [];
    },
  },
  {
    id: 'mx-target-ip-literal',
    severity: 'error',
    rfc: { rfc: 5321, section: '5.1' },
    title: 'An MX target is an IP address, not a host name: senders look it up as a name and fail',
    fix: 'Point the MX at a host name with A/AAAA records',
    async check(context) {
      return recordsOf((await mxFacts(context)).answer)
        .filter((mx) => isIP(mx.exchange) !== 0)
        .map((mx) => ({ record: mxLabel(context, mx), message: `${mx.exchange} is an address` }));
    },
  },
  {
    id: 'mx-target-cname',
    severity: 'error',
    rfc: { rfc: 2181, section: '10.3' },
    title: 'An MX target is an alias (CNAME): not allowed, some senders refuse it',
    fix: 'Point the MX at the canonical name',
    check: perTarget((t) => (t.cname.status === 'ok' && t.cname.records.length > 0 ? `${t.mx.exchange} is a CNAME for ${t.cname.records[0]}` : undefined)),
  },
  {
    id: 'mx-target-unresolvable',
    severity: 'error',
    rfc: { rfc: 5321, section: '5.1' },
    title: 'An MX target has no A or AAAA record: mail to it cannot be delivered',
    fix: 'Publish the target\'s address records or remove the MX',
    check: perTarget((t) => (isVoid(t.a) && isVoid(t.aaaa) ? `${t.mx.exchange} has no A or AAAA record` : undefined)),
  },
  {
    id: 'mx-target-unchecked',
    severity: 'info',
    rfc: { rfc: 5321, section: '5.1' },
    title: 'An MX target is outside the audited zone and no nameserver was given: not checked',
    fix: 'Pass --nameserver',
    check: perTarget((t) => (t.a.status === 'unresolvable' ? t.a.reason : undefined)),
  },
];
