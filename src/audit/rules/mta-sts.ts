// MTA-STS rules (RFC 8461): the _mta-sts record, the policy as a sender fetches it, whether it
// names every MX host, and whether its id moves with its text. The policy is fetched once per
// audit (memoised) and only when a valid record says there is one.
import { coveredBy, parsePolicy, parseStsRecord, policyId, type ParsedPolicy, type ParsedStsRecord } from '../../auth/mta-sts.ts';
import { recordsOf, type Answer } from '../resolver.ts';
import type { PolicyFetch } from '../transport-sources.ts';
import { recordLabel, type AuditContext, type Hit, type Rule } from '../types.ts';

type StsRule = Omit<Rule, 'family'>;

export interface StsFacts {
  name: string;
  answer: Answer<string[]>;
  /** the TXT records that start with v=STSv1 */
  texts: string[];
  record?: ParsedStsRecord | { problem: string };
  fetched?: PolicyFetch;
  policy?: ParsedPolicy | { problem: string };
}

export function stsFacts(context: AuditContext): Promise<StsFacts> {
  return context.memo('mta-sts', async () => {
    const name = `_mta-sts.${context.domain}`;
    const answer = await context.resolver.txt(name);
    const texts = recordsOf(answer).map((strings) => strings.join('')).filter((text) => /^v=STSv1(;|\s|$)/.test(text));
    const facts: StsFacts = { name, answer, texts };
    if (texts.length === 1) facts.record = parseStsRecord(texts[0] as string);
    else if (texts.length > 1) facts.record = { problem: `${texts.length} v=STSv1 records: senders treat that as no policy (RFC 8461 3.1)` };
    if (facts.record && 'id' in facts.record && context.transport) {
      facts.fetched = await context.transport.fetchPolicy(context.domain);
      if (facts.fetched.status === 'ok') facts.policy = parsePolicy(facts.fetched.text);
    }
    return facts;
  });
}

/**
 * The MX hosts to judge, shared with the DANE rules: the domain's MX targets (null MX left out),
 * and with a config every inbound host too — one withdrawn from MX right now is still one.
 */
export function mxHosts(context: AuditContext): Promise<string[]> {
  return context.memo('transport-mx', async () => {
    const live = recordsOf(await context.resolver.mx(context.domain)).map((mx) => mx.exchange).filter((exchange) => exchange !== '' && exchange !== '.');
    const configured = (context.config?.pools ?? []).filter((pool) => pool.role === 'inbound').flatMap((pool) => pool.hosts.map((host) => host.name));
    return [...new Set([...live, ...configured])];
  });
}

const policyUrl = (domain: string) => `https://mta-sts.${domain}/.well-known/mta-sts.txt`;

export const mtaStsRules: StsRule[] = [
  {
    id: 'mta-sts-missing',
    severity: 'info',
    rfc: { rfc: 8461, section: '3.1' },
    title: 'No MTA-STS record: senders cannot require TLS to the MX hosts',
    fix: 'Set auth.mtaSts: mxpool serves the policy and publishes _mta-sts and mta-sts records',
    async check(context) {
      const facts = await stsFacts(context);
      if (facts.answer.status === 'temperror' || facts.answer.status === 'unresolvable') return [];
      return facts.texts.length === 0 ? [{ record: recordLabel(facts.name, 'TXT'), message: `no v=STSv1 record at ${facts.name}` }] : [];
    },
  },
  {
    id: 'mta-sts-record-invalid',
    severity: 'error',
    rfc: { rfc: 8461, section: '3.1' },
    title: 'The _mta-sts record is not valid: senders ignore the policy',
    fix: 'Publish exactly one "v=STSv1; id=<1-32 letters and digits>" record',
    async check(context) {
      const facts = await stsFacts(context);
      if (!facts.record || !('problem' in facts.record)) return [];
      return [{ record: recordLabel(facts.name, 'TXT', facts.texts.length === 1 ? facts.texts[0] : undefined), message: `the record ${facts.record.problem}` }];
    },
  },
  {
    id: 'mta-sts-policy-unreachable',
    severity: 'error',
    rfc: { rfc: 8461, section: '3.3' },
    title: 'The MTA-STS policy cannot be fetched or read: senders with a cached policy keep the old one, new ones have none',
    fix: 'Serve the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt as text/plain with a certificate valid for that name (auth.mtaSts.https)',
    async check(context) {
      const facts = await stsFacts(context);
      const label = recordLabel(policyUrl(context.domain), 'HTTPS');
      if (facts.fetched?.status === 'failed') return [{ record: label, message: facts.fetched.reason }];
      if (facts.policy && 'problem' in facts.policy) return [{ record: label, message: `the policy is not valid: ${facts.policy.problem}` }];
      return [];
    },
  },
  {
    id: 'mta-sts-mx-not-covered',
    severity: 'error',
    rfc: { rfc: 8461, section: '4.1' },
    title: 'An MX host is not named by the MTA-STS policy: enforcing senders refuse to deliver to it',
    fix: 'Name every MX host in the policy (mxpool lists every inbound host and pool hostname); add a host to MX only after the policy naming it has been served',
    async check(context) {
      const facts = await stsFacts(context);
      const policy = facts.policy;
      if (!policy || 'problem' in policy || policy.mode === 'none') return [];
      const hits: Hit[] = [];
      for (const host of await mxHosts(context)) {
        if (!coveredBy(host, policy.mx)) hits.push({ record: recordLabel(context.domain, 'MX', host), message: `${host} is not matched by the ${policy.mode} policy (mx: ${policy.mx.join(', ') || 'none'})` });
      }
      return hits;
    },
  },
  {
    id: 'mta-sts-id-stale',
    severity: 'error',
    rfc: { rfc: 8461, section: '3.1' },
    title: 'The _mta-sts id does not belong to the policy served: senders holding an older policy never fetch the new one',
    fix: 'Let mxpool publish the id (a digest of the policy text), or change the id whenever the policy changes',
    async check(context) {
      // the id belongs to a text only its publisher knows: judged where mxpool made both (config)
      if (!context.config?.auth.mtaSts) return [];
      const facts = await stsFacts(context);
      if (!facts.record || !('id' in facts.record) || facts.fetched?.status !== 'ok') return [];
      const expected = policyId(facts.fetched.text);
      if (facts.record.id === expected) return [];
      return [{ record: recordLabel(facts.name, 'TXT', facts.texts[0]), message: `id ${facts.record.id}, but the policy served has id ${expected}` }];
    },
  },
];
