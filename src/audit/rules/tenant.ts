// Tenant rules: a customer zone (a tenant of the config, its DNS served by mxpool or kept elsewhere)
// checked live against what the config says it must hold — MX on the ISP's inbound hosts, an SPF
// that passes every outbound address of the ISP, the DKIM keys the ISP signs with, a DMARC record.
// They run only when the context carries a TenantExpectation (`audit --config F --live`).
import { discoverDmarc } from '../dmarc/discover.ts';
import { parseTagList } from '../dkim/tag-list.ts';
import { spfFacts, spfLabel } from '../facts.ts';
import { recordsOf } from '../resolver.ts';
import { evaluateSpf } from '../spf/evaluate.ts';
import { recordLabel, type AuditContext, type Rule } from '../types.ts';

type TenantRule = Omit<Rule, 'family'>;

/** What the config says a tenant zone must hold, as plain values (built from the config by the caller). */
export interface TenantExpectation {
  /** the inbound pools the tenant's MX must name, each with the names that count (its hosts' names and its hostname) */
  mxPools: { pool: string; names: string[] }[];
  /** every outbound address of the ISP that may send (must get SPF pass) */
  senders: string[];
  /** the DKIM keys the config gives the tenant: selector and the p= value */
  dkim: { selector: string; key: string }[];
  /** the config gives the tenant a DMARC record */
  dmarc: boolean;
}

function dkimResults(context: AuditContext, tenant: TenantExpectation) {
  return context.memo('tenant-dkim', async () => {
    const results: { selector: string; name: string; status: 'missing' | 'mismatch' | 'ok' | 'unknown'; live?: string; reason?: string }[] = [];
    for (const { selector, key } of tenant.dkim) {
      const name = `${selector.toLowerCase()}._domainkey.${context.domain}`;
      const answer = await context.resolver.txt(name);
      if (answer.status === 'temperror' || answer.status === 'unresolvable') {
        results.push({ selector, name, status: 'unknown', reason: answer.reason });
        continue;
      }
      const records = recordsOf(answer).map((strings) => strings.join('')).filter((text) => !/^v=(spf1|DMARC1)/i.test(text));
      if (records.length === 0) {
        results.push({ selector, name, status: 'missing' });
        continue;
      }
      const wanted = publicKey(key);
      const matching = records.find((text) => publicKey(text) === wanted);
      results.push({ selector, name, status: matching ? 'ok' : 'mismatch', live: records[0] as string });
    }
    return results;
  });
}

/** The p= value of a key record (or a bare key), whitespace removed (RFC 6376 3.6.1 allows FWS in it). */
function publicKey(text: string): string {
  if (!/(^|;)\s*p\s*=/.test(text)) return text.replace(/\s+/g, '');
  const list = parseTagList(text);
  return list.ok ? (list.tags.get('p') ?? '').replace(/\s+/g, '') : '';
}

const expectation = (context: AuditContext) => context.tenant;

export const tenantRules: TenantRule[] = [
  {
    id: 'tenant-mx-elsewhere',
    severity: 'error',
    rfc: { rfc: 5321, section: '5.1' },
    title: 'No MX of the tenant names a host (or the pool name) of the inbound pools the config gives it: its mail goes elsewhere',
    fix: 'Point the MX records at the pool\'s hosts (or its shared name), as the config says',
    async check(context) {
      const tenant = expectation(context);
      if (!tenant || tenant.mxPools.length === 0) return [];
      const answer = await context.resolver.mx(context.domain);
      if (answer.status === 'temperror' || answer.status === 'unresolvable') return [];
      const names = new Set(tenant.mxPools.flatMap((p) => p.names.map((n) => n.toLowerCase())));
      const live = recordsOf(answer);
      if (live.some((mx) => names.has(mx.exchange))) return [];
      const published = live.length > 0 ? live.map((mx) => `${mx.preference} ${mx.exchange || '.'}`).join(', ') : 'no MX record';
      const pools = tenant.mxPools.map((p) => `${p.pool} (${p.names.join(', ')})`).join('; ');
      return [{ record: recordLabel(context.domain, 'MX', live.length > 0 ? published : undefined), message: `${published}: none names a host of pool ${pools}` }];
    },
  },
  {
    id: 'tenant-spf-not-authorised',
    severity: 'error',
    rfc: { rfc: 7208, section: '2.6.1' },
    title: 'An outbound address of the ISP does not get SPF "pass" from the tenant\'s SPF (e.g. the ISP\'s include is missing): the tenant\'s mail fails SPF',
    fix: 'Add the ISP\'s shared include (auth.spf.sharedName) to the tenant\'s SPF record, as the config says',
    async check(context) {
      const tenant = expectation(context);
      if (!tenant || tenant.senders.length === 0) return [];
      const failing: string[] = [];
      for (const ip of tenant.senders) {
        const verdict = await evaluateSpf(context.resolver, { ip, sender: `postmaster@${context.domain}`, helo: context.domain });
        if (verdict.result !== 'pass') failing.push(`${ip} (${verdict.result})`);
      }
      if (failing.length === 0) return [];
      const { top } = await spfFacts(context);
      return [{ record: spfLabel(context.domain, top.status === 'found' ? top.text : undefined), message: `${failing.length} of ${tenant.senders.length} outbound address(es) do not pass: ${failing.join(', ')}` }];
    },
  },
  {
    id: 'tenant-dkim-missing',
    severity: 'error',
    rfc: { rfc: 6376, section: '3.6.2.2' },
    title: 'A DKIM selector the config gives the tenant has no key record live: the ISP signs its mail with a key nobody can find',
    fix: 'Publish the key of auth.dkim (the tenant\'s dkim:) at <selector>._domainkey.<tenant>',
    async check(context) {
      const tenant = expectation(context);
      if (!tenant) return [];
      return (await dkimResults(context, tenant)).filter((r) => r.status === 'missing').map((r) => ({ record: recordLabel(r.name, 'TXT'), message: `selector ${r.selector}: no key record at ${r.name}` }));
    },
  },
  {
    id: 'tenant-dkim-mismatch',
    severity: 'error',
    rfc: { rfc: 6376, section: '3.6.2.2' },
    title: 'The tenant publishes another key than the config gives at a selector (a stale key): signatures with the configured key fail',
    fix: 'Publish the current key (from the config) at the selector, or rotate with a new selector',
    async check(context) {
      const tenant = expectation(context);
      if (!tenant) return [];
      return (await dkimResults(context, tenant))
        .filter((r) => r.status === 'mismatch')
        .map((r) => ({ record: recordLabel(r.name, 'TXT', r.live), message: `selector ${r.selector}: the published key differs from the configured one (p=${publicKey(r.live ?? '').slice(0, 16)}... instead of p=${publicKey(tenant.dkim.find((d) => d.selector === r.selector)?.key ?? '').slice(0, 16)}...)` }));
    },
  },
  {
    id: 'tenant-dmarc-missing',
    severity: 'error',
    rfc: { rfc: 7489, section: '6.6.3' },
    title: 'The config gives the tenant a DMARC record, but none applies to it live',
    fix: 'Publish the tenant\'s DMARC record at _dmarc.<tenant> as the config says',
    async check(context) {
      const tenant = expectation(context);
      if (!tenant?.dmarc) return [];
      const found = await context.memo('dmarc', () => discoverDmarc(context.resolver, context.domain));
      if (found.rfc7489.policyDomain || found.rfc7489.at.some((at) => at.status === 'temperror' || at.status === 'unresolvable')) return [];
      return [{ record: recordLabel(`_dmarc.${context.domain}`, 'TXT'), message: `no DMARC record at _dmarc.${context.domain} (nor at its organisational domain)` }];
    },
  },
];

