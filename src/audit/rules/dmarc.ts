// DMARC rules (RFC 7489, RFC 9989): the record found both ways, its tags and values, the policy of
// a domain that sends mail, and the authorisation of external report destinations.
import { getDomain } from 'tldts';
import { describeAt, discoverDmarc, type DmarcAt } from '../dmarc/discover.ts';
import { parseDmarc, reportDomain, reportUris } from '../dmarc/record.ts';
import { mailSending, sendsMail } from '../facts.ts';
import { recordLabel, type AuditContext, type Hit, type Rule } from '../types.ts';

type DmarcRule = Omit<Rule, 'family'>;
const r7489 = (section: string) => ({ rfc: 7489, section });

const discovery = (context: AuditContext) => context.memo('dmarc', () => discoverDmarc(context.resolver, context.domain));

/** The record that applies (RFC 7489 reading), parsed. */
async function applied(context: AuditContext) {
  const found = (await discovery(context)).rfc7489.at.find((at): at is Extract<DmarcAt, { status: 'found' }> => at.status === 'found');
  return found && { at: found, record: parseDmarc(found.text), label: recordLabel(found.name, 'TXT', found.text) };
}

async function problemsOf(context: AuditContext, kind: 'syntax' | 'value' | 'uri'): Promise<Hit[]> {
  const found = await applied(context);
  return found ? found.record.problems.filter((p) => p.kind === kind).map((p) => ({ record: found.label, message: p.message })) : [];
}

export const dmarcRules: DmarcRule[] = [
  {
    id: 'dmarc-missing',
    // an error for a domain that sends mail (Gmail and Yahoo since February 2024, Outlook.com since
    // May 2025 reject or junk bulk mail without DMARC); a warning for one that sends none
    severity: 'error',
    rfc: r7489('6.6.3'),
    title: 'No DMARC record applies to the domain (neither its own nor its organisational domain\'s); an error when the domain sends mail, else a warning',
    fix: 'Publish "v=DMARC1; p=quarantine; rua=mailto:..." at _dmarc.<domain> (auth.dmarc in the config)',
    async check(context) {
      const found = await discovery(context);
      const failed = found.rfc7489.at.some((at) => at.status === 'temperror' || at.status === 'unresolvable' || at.status === 'multiple');
      if (failed || found.rfc7489.policyDomain || found.rfc9989.policyDomain) return [];
      const where = found.rfc7489.at.map(describeAt).join('; ');
      const { sends, why } = await mailSending(context);
      const record = recordLabel(`_dmarc.${context.domain}`, 'TXT');
      if (sends === false) return [{ record, message: `${where}; ${context.domain} sends no mail (${why})`, severity: 'warning' }];
      if (sends === undefined) return [{ record, message: `${where}; whether ${context.domain} sends mail is not known (${why})`, severity: 'warning' }];
      return [{ record, message: `${where}; ${context.domain} sends mail (${why}): Gmail, Yahoo and Outlook.com reject or junk bulk mail from a domain without DMARC` }];
    },
  },
  {
    id: 'dmarc-multiple-records',
    severity: 'error',
    rfc: r7489('6.6.3'),
    title: 'More than one DMARC record at a name: receivers ignore them all',
    fix: 'Keep exactly one v=DMARC1 record',
    async check(context) {
      return (await discovery(context)).rfc7489.at.flatMap((at) => (at.status === 'multiple' ? [{ record: recordLabel(at.name, 'TXT'), message: at.texts.map((t) => JSON.stringify(t)).join(', ') }] : []));
    },
  },
  {
    id: 'dmarc-lookup-failed',
    severity: 'warning',
    rfc: r7489('6.6.3'),
    title: 'The DMARC lookup failed (SERVFAIL, timeout) or could not be made',
    fix: 'Check the nameservers; pass --nameserver for names outside the audited zone',
    async check(context) {
      const found = await discovery(context);
      const hits = found.rfc7489.at.flatMap((at) => (at.status === 'temperror' ? [{ record: recordLabel(at.name, 'TXT'), message: at.reason }] : []));
      return hits;
    },
  },
  {
    id: 'dmarc-discovery-differs',
    severity: 'warning',
    rfc: { rfc: 9989, section: '4.10' },
    title: 'RFC 7489 receivers (Public Suffix List) and RFC 9989 receivers (DNS tree walk) find different DMARC policies',
    fix: 'Publish a DMARC record at the domain itself so both readings agree',
    async check(context) {
      const found = await discovery(context);
      if (found.rfc9989.error) return [];
      const old = found.rfc7489.policyDomain;
      const walk = found.rfc9989.policyDomain;
      if (old === walk) return [];
      const say = (domain: string | null) => (domain ? `the record at _dmarc.${domain}` : 'no record');
      return [{ record: recordLabel(`_dmarc.${context.domain}`, 'TXT'), message: `RFC 7489 (organisational domain ${found.rfc7489.orgDomain}) finds ${say(old)}; the RFC 9989 tree walk finds ${say(walk)}` }];
    },
  },
  {
    id: 'dmarc-syntax',
    severity: 'error',
    rfc: r7489('6.4'),
    title: 'The DMARC record is not a valid tag list starting with v=DMARC1 and holding p=',
    fix: 'Write it as "v=DMARC1; p=...; ..." with each tag once',
    check: (context) => problemsOf(context, 'syntax'),
  },
  {
    id: 'dmarc-invalid-value',
    severity: 'error',
    rfc: r7489('6.3'),
    title: 'A DMARC tag has a value outside its grammar (receivers may ignore the record)',
    fix: 'Use the values shown as expected',
    check: (context) => problemsOf(context, 'value'),
  },
  {
    id: 'dmarc-policy-none',
    severity: 'warning',
    rfc: r7489('6.3'),
    title: 'p=none on a domain that sends mail: forged mail is delivered as if DMARC did not exist',
    fix: 'Move to p=quarantine, then p=reject, once aggregate reports show all real mail passes',
    async check(context) {
      const found = await applied(context);
      if (!found || found.record.tags.get('p')?.toLowerCase() !== 'none' || !(await sendsMail(context))) return [];
      return [{ record: found.label, message: `p=none at ${found.at.name} while ${context.domain} sends mail` }];
    },
  },
  {
    id: 'dmarc-pct-partial',
    severity: 'info',
    rfc: r7489('6.3'),
    title: 'pct below 100: the policy applies to only part of the failing mail',
    fix: 'Raise pct to 100 (or drop it) once the rollout is done',
    async check(context) {
      const found = await applied(context);
      const pct = found?.record.tags.get('pct');
      return found && pct !== undefined && /^\d+$/.test(pct) && Number(pct) < 100 ? [{ record: found.label, message: `pct=${pct}` }] : [];
    },
  },
  {
    id: 'dmarc-uri-invalid',
    severity: 'error',
    rfc: r7489('6.2'),
    title: 'A rua/ruf report destination is not a valid mailto: URI',
    fix: 'Use mailto:address@domain, comma-separated',
    check: (context) => problemsOf(context, 'uri'),
  },
  {
    id: 'dmarc-no-rua',
    severity: 'info',
    rfc: r7489('6.3'),
    title: 'No rua: the domain gets no aggregate reports, so it cannot see who sends as it',
    fix: 'Add rua=mailto:dmarc-reports@<domain>',
    async check(context) {
      const found = await applied(context);
      return found && reportUris(found.record.tags.get('rua')).length === 0 ? [{ record: found.label, message: 'no rua tag' }] : [];
    },
  },
  {
    id: 'dmarc-external-unauthorised',
    severity: 'warning',
    rfc: r7489('7.1'),
    title: 'A report destination in another organisational domain has not authorised the reports: receivers send none',
    fix: 'The destination publishes "v=DMARC1" at <domain>._report._dmarc.<destination>',
    async check(context) {
      return (await externalDestinations(context)).filter((d) => d.status === 'unauthorised').map((d) => ({ record: d.label, message: d.message }));
    },
  },
  {
    id: 'dmarc-external-unchecked',
    severity: 'info',
    rfc: r7489('7.1'),
    title: 'The authorisation of an external report destination could not be checked',
    fix: 'Pass --nameserver (names outside the audited zone) or check the destination\'s nameservers',
    async check(context) {
      return (await externalDestinations(context)).filter((d) => d.status === 'unchecked').map((d) => ({ record: d.label, message: d.message }));
    },
  },
];

interface Destination {
  status: 'authorised' | 'unauthorised' | 'unchecked';
  label: string;
  message: string;
}

/** Every rua/ruf destination outside the policy domain's organisational domain, checked once. */
function externalDestinations(context: AuditContext): Promise<Destination[]> {
  return context.memo('dmarc-external', async () => {
    const found = await applied(context);
    if (!found) return [];
    const policyDomain = found.at.name.replace(/^_dmarc\./, '');
    const ownOrg = getDomain(policyDomain, { allowPrivateDomains: true }) ?? policyDomain;
    const results: Destination[] = [];
    const seen = new Set<string>();
    for (const uri of [...reportUris(found.record.tags.get('rua')), ...reportUris(found.record.tags.get('ruf'))]) {
      const destination = reportDomain(uri);
      if (!destination || seen.has(destination)) continue;
      seen.add(destination);
      if ((getDomain(destination, { allowPrivateDomains: true }) ?? destination) === ownOrg) continue;
      const name = `${policyDomain}._report._dmarc.${destination}`;
      const answer = await context.resolver.txt(name);
      if (answer.status === 'temperror' || answer.status === 'unresolvable') {
        results.push({ status: 'unchecked', label: found.label, message: `${uri}: cannot look up ${name} TXT (${answer.reason})` });
        continue;
      }
      const authorised = answer.status === 'ok' && answer.records.some((strings) => /^v=DMARC1/i.test(strings.join('')));
      results.push({ status: authorised ? 'authorised' : 'unauthorised', label: found.label, message: `${uri}: ${name} ${authorised ? 'authorises the reports' : 'has no "v=DMARC1" TXT record'}` });
    }
    return results;
  });
}
