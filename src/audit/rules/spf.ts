// SPF rules (RFC 7208). Each looks at the memoised SPF facts: the record at the domain and the
// worst-case lookup tree of everything it includes.
import type { Mechanism } from '../../auth/spf-syntax.ts';
import { parseSpf } from '../../auth/spf-syntax.ts';
import { octets } from '../../auth/txt.ts';
import { ownName, spfFacts, spfLabel } from '../facts.ts';
import type { AuditContext, Hit, Rule } from '../types.ts';

type SpfRule = Omit<Rule, 'family'>;

const rfc = (section: string) => ({ rfc: 7208, section });

/** Records reached from the domain that it owns (apex, mxpool's _spfN chain, its own includes). */
async function ownRecords(context: AuditContext) {
  const { tree } = await spfFacts(context);
  return tree.records.filter((record) => ownName(context, record.name));
}

async function problems(context: AuditContext, kinds: string[]): Promise<Hit[]> {
  const { tree } = await spfFacts(context);
  return tree.problems.filter((p) => kinds.includes(p.kind)).map((p) => ({ record: spfLabel(p.name), message: p.message }));
}

const allOf = (terms: readonly { kind: string }[]) =>
  terms.find((t): t is Mechanism => t.kind === 'mechanism' && (t as Mechanism).name === 'all');

export const spfRules: SpfRule[] = [
  {
    id: 'spf-missing',
    severity: 'warning',
    rfc: rfc('4.5'),
    title: 'The domain publishes no SPF record: receivers get "none" and cannot tell forged mail from real',
    fix: 'Publish one TXT record "v=spf1 ... -all" at the domain (auth.spf in the config); "v=spf1 -all" if it sends no mail',
    async check(context) {
      const { top } = await spfFacts(context);
      return top.status === 'none' ? [{ record: spfLabel(context.domain), message: `${context.domain} has no TXT record starting with "v=spf1"` }] : [];
    },
  },
  {
    id: 'spf-multiple-records',
    severity: 'error',
    rfc: rfc('4.5'),
    title: 'More than one SPF record at the domain: every receiver returns permerror',
    fix: 'Merge them into exactly one "v=spf1" TXT record',
    async check(context) {
      const { top } = await spfFacts(context);
      const nested = await problems(context, ['multiple-records']);
      const own = top.status === 'multiple' ? [{ record: spfLabel(context.domain), message: `${top.texts.length} SPF records: ${top.texts.map((t) => JSON.stringify(t)).join(', ')}` }] : [];
      return [...own, ...nested];
    },
  },
  {
    id: 'spf-syntax',
    severity: 'error',
    rfc: rfc('12'),
    title: 'The SPF record does not follow the RFC 7208 grammar: receivers return permerror',
    fix: 'Correct the term at the column shown',
    async check(context) {
      const { tree } = await spfFacts(context);
      return tree.records.flatMap((record) => {
        const parsed = parseSpf(record.text);
        return parsed.ok ? [] : [{ record: spfLabel(record.name, record.text), message: `column ${parsed.column}: ${parsed.message}` }];
      });
    },
  },
  {
    id: 'spf-too-many-lookups',
    severity: 'error',
    rfc: rfc('4.6.4'),
    title: 'Evaluating the record can take more than 10 DNS lookups: receivers return permerror',
    fix: 'Remove or flatten include/a/mx/ptr/exists terms (replace them by ip4/ip6 where the addresses are stable)',
    async check(context) {
      const { tree } = await spfFacts(context);
      return tree.lookups > 10 ? [{ record: spfLabel(context.domain, tree.records[0]?.text), message: `${tree.lookups} DNS lookups in the worst case, over the limit of 10 (see the lookup tree)` }] : [];
    },
  },
  {
    id: 'spf-too-many-void-lookups',
    severity: 'error',
    rfc: rfc('4.6.4'),
    title: 'More than 2 lookups return no answer (void): receivers return permerror',
    fix: 'Remove terms that name domains without addresses or MX records',
    async check(context) {
      const { tree } = await spfFacts(context);
      return tree.voids > 2 ? [{ record: spfLabel(context.domain, tree.records[0]?.text), message: `${tree.voids} void lookups, over the limit of 2` }] : [];
    },
  },
  {
    id: 'spf-mx-too-many-targets',
    severity: 'error',
    rfc: rfc('4.6.4'),
    title: 'An mx term names a domain with more than 10 MX targets: permerror',
    fix: 'Use ip4/ip6 terms for the sending hosts instead of mx',
    check: (context) => problems(context, ['mx-targets']),
  },
  {
    id: 'spf-plus-all',
    severity: 'error',
    rfc: rfc('5.1'),
    title: '"+all" (or a bare "all") authorises every address on the Internet',
    fix: 'End the record with "-all" (or "~all" while testing)',
    async check(context) {
      const { tree } = await spfFacts(context);
      return tree.records.flatMap((record) => {
        const all = allOf(record.terms);
        return all?.qualifier === '+' ? [{ record: spfLabel(record.name, record.text), message: `"${all.text}" passes every sender${record.via === 'include' ? ' (and makes every include of it match)' : ''}` }] : [];
      });
    },
  },
  {
    id: 'spf-neutral-all',
    severity: 'warning',
    rfc: rfc('5.1'),
    title: '"?all": unlisted senders get "neutral", the same as no SPF at all',
    fix: 'Use "-all" (or "~all")',
    async check(context) {
      const records = (await ownRecords(context)).filter((r) => r.via !== 'include' && r.valid);
      return records.flatMap((record) => (allOf(record.terms)?.qualifier === '?' ? [{ record: spfLabel(record.name, record.text), message: '"?all" gives unlisted senders a neutral result' }] : []));
    },
  },
  {
    id: 'spf-no-all',
    severity: 'warning',
    rfc: rfc('4.7'),
    title: 'The record has neither "all" nor "redirect=": unlisted senders get "neutral"',
    fix: 'End the record with "-all"',
    async check(context) {
      const records = (await ownRecords(context)).filter((r) => r.via !== 'include' && r.valid);
      return records.flatMap((record) => {
        const redirect = record.terms.some((t) => t.kind === 'modifier' && t.name === 'redirect');
        return allOf(record.terms) || redirect ? [] : [{ record: spfLabel(record.name, record.text), message: 'no "all" mechanism and no redirect: the default result is neutral' }];
      });
    },
  },
  {
    id: 'spf-ptr',
    severity: 'warning',
    rfc: rfc('5.5'),
    title: 'The "ptr" mechanism is slow, unreliable and "SHOULD NOT be used"; some receivers ignore it',
    fix: 'Replace ptr by ip4/ip6 terms for the sending hosts',
    async check(context) {
      return (await ownRecords(context)).flatMap((record) =>
        record.terms.filter((t) => t.kind === 'mechanism' && t.name === 'ptr').map((t) => ({ record: spfLabel(record.name, record.text), message: `"${t.text}" at column ${t.column}` })),
      );
    },
  },
  {
    id: 'spf-redirect-ignored',
    severity: 'warning',
    rfc: rfc('6.1'),
    title: 'A "redirect=" in a record with "all" is never used',
    fix: 'Remove either the redirect or the all mechanism',
    async check(context) {
      return (await ownRecords(context)).flatMap((record) => {
        const redirect = record.terms.find((t) => t.kind === 'modifier' && t.name === 'redirect');
        return redirect && allOf(record.terms) ? [{ record: spfLabel(record.name, record.text), message: `"${redirect.text}" is ignored because the record has "${allOf(record.terms)?.text}"` }] : [];
      });
    },
  },
  {
    id: 'spf-string-too-long',
    severity: 'error',
    rfc: rfc('3.3'),
    title: 'A TXT character-string is longer than 255 octets: it cannot be published as one string',
    fix: 'Split the record into strings of at most 255 octets (receivers join them without spaces)',
    async check(context) {
      return (await ownRecords(context)).flatMap((record) =>
        record.strings.filter((s) => octets(s) > 255).map((s) => ({ record: spfLabel(record.name, record.text), message: `a character-string of ${octets(s)} octets` })),
      );
    },
  },
  {
    id: 'spf-record-over-450',
    severity: 'warning',
    rfc: rfc('3.4'),
    title: 'The record is over 450 octets: the DNS answer may not fit in 512 octets over UDP',
    fix: 'Shorten it (aggregate addresses, move them into an include)',
    async check(context) {
      return (await ownRecords(context)).flatMap((record) => {
        const size = octets(record.text);
        return size > 450 && size <= 512 ? [{ record: spfLabel(record.name, record.text), message: `${size} octets` }] : [];
      });
    },
  },
  {
    id: 'spf-record-over-512',
    severity: 'error',
    rfc: rfc('3.4'),
    title: 'The record is over 512 octets: answers need TCP or EDNS and some receivers fail (temperror)',
    fix: 'Move address terms into included records (mxpool does this past 450 octets)',
    async check(context) {
      return (await ownRecords(context)).flatMap((record) => (octets(record.text) > 512 ? [{ record: spfLabel(record.name, record.text), message: `${octets(record.text)} octets` }] : []));
    },
  },
  {
    id: 'spf-include-loop',
    severity: 'error',
    rfc: rfc('5.2'),
    title: 'An include/redirect chain comes back to a record already being evaluated: permerror',
    fix: 'Remove the include that closes the loop',
    check: (context) => problems(context, ['loop']),
  },
  {
    id: 'spf-include-no-record',
    severity: 'error',
    rfc: rfc('5.2'),
    title: 'An include or redirect names a domain with no (single, valid) SPF record: permerror',
    fix: 'Fix the target domain\'s SPF record or remove the include',
    check: (context) => problems(context, ['no-record', 'syntax']),
  },
  {
    id: 'spf-macro',
    severity: 'info',
    rfc: rfc('7'),
    title: 'Terms with macros are expanded per message: their lookups cannot be checked here',
    fix: 'Nothing to fix if intended; make sure the expanded names exist',
    check: (context) => problems(context, ['macro']),
  },
  {
    id: 'spf-lookup-temperror',
    severity: 'warning',
    rfc: rfc('4.4'),
    title: 'A DNS lookup the record needs failed (SERVFAIL or timeout): receivers would return temperror',
    fix: 'Check the nameservers of the name shown',
    check: (context) => problems(context, ['temperror']),
  },
  {
    id: 'spf-unresolvable',
    severity: 'info',
    rfc: rfc('4.6.4'),
    title: 'A name the record needs is outside the audited zone and no nameserver was given: not checked',
    fix: 'Pass --nameserver to resolve names outside the zone',
    check: (context) => problems(context, ['unresolvable']),
  },
];
