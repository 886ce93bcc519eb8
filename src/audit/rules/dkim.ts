// DKIM rules (RFC 6376, RFC 8301, RFC 8463), per configured selector: the key record at
// <selector>._domainkey.<domain> through the key linter (dkim/key.ts).
import { lintDkimKey, type DkimKeyVerdict, type DkimRuleId } from '../dkim/key.ts';
import { recordLabel, type AuditContext, type Hit, type Rule } from '../types.ts';

type DkimRule = Omit<Rule, 'family'>;

interface SelectorResult {
  selector: string;
  name: string;
  status: 'found' | 'missing' | 'multiple' | 'temperror' | 'unresolvable';
  text?: string;
  reason?: string;
  verdict?: DkimKeyVerdict;
}

/** Verdicts by key record: an ISP's customers publish the same key, whose parsing (RSA) is the costly part. */
const verdicts = new Map<string, DkimKeyVerdict>();
const MAX_VERDICTS = 1000;

function lintKey(strings: readonly string[]): DkimKeyVerdict {
  const key = strings.join('\u0000');
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = lintDkimKey(strings);
    if (verdicts.size >= MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value as string);
    verdicts.set(key, verdict);
  }
  // a copy: the Ed25519-only filter below rewrites the findings of a domain's verdicts
  return { ...verdict, findings: [...verdict.findings] };
}

function selectors(context: AuditContext): Promise<SelectorResult[]> {
  return context.memo('dkim', async () => {
    const results: SelectorResult[] = [];
    for (const selector of context.dkimSelectors) {
      const name = `${selector.toLowerCase()}._domainkey.${context.domain}`;
      const answer = await context.resolver.txt(name);
      if (answer.status === 'temperror' || answer.status === 'unresolvable') {
        results.push({ selector, name, status: answer.status, reason: answer.reason });
        continue;
      }
      // a key record is any TXT at the name that is not plainly something else; v= is optional
      const records = answer.status === 'ok' ? answer.records.filter((s) => !/^v=(spf1|DMARC1)/i.test(s.join(''))) : [];
      if (records.length === 0) results.push({ selector, name, status: 'missing' });
      else if (records.length > 1) results.push({ selector, name, status: 'multiple', text: records.map((r) => r.join('')).join(' | ') });
      else results.push({ selector, name, status: 'found', text: (records[0] as string[]).join(''), verdict: lintKey(records[0] as string[]) });
    }
    // Ed25519-only is worth an info only when no selector of the domain has a usable RSA key
    const rsaElsewhere = results.some((r) => r.verdict?.keyType === 'rsa' && r.verdict.usable);
    if (rsaElsewhere) for (const r of results) if (r.verdict) r.verdict.findings = r.verdict.findings.filter((f) => f.id !== 'dkim-ed25519-only');
    return results;
  });
}

function keyFindings(id: DkimRuleId) {
  return async (context: AuditContext): Promise<Hit[]> =>
    (await selectors(context)).flatMap((result) =>
      (result.verdict?.findings ?? []).filter((f) => f.id === id).map((f) => ({ record: recordLabel(result.name, 'TXT', result.text), message: `selector ${result.selector}: ${f.message}` })),
    );
}

function statusFindings(status: SelectorResult['status'][], say: (r: SelectorResult) => string) {
  return async (context: AuditContext): Promise<Hit[]> =>
    (await selectors(context)).filter((r) => status.includes(r.status)).map((r) => ({ record: recordLabel(r.name, 'TXT'), message: say(r) }));
}

const r6376 = (section: string) => ({ rfc: 6376, section });

export const dkimRules: DkimRule[] = [
  { id: 'dkim-missing', severity: 'error', rfc: r6376('3.6.2.2'), title: 'No key record for a selector the domain signs with: every signature fails', fix: 'Publish the public key at <selector>._domainkey.<domain> (auth.dkim)', check: statusFindings(['missing'], (r) => `selector ${r.selector}: no key record at ${r.name}`) },
  { id: 'dkim-multiple-records', severity: 'error', rfc: r6376('3.6.2.2'), title: 'More than one key record at a selector: verifiers may pick either', fix: 'Keep one key record per selector; rotate keys with a new selector', check: statusFindings(['multiple'], (r) => `selector ${r.selector}: ${r.text}`) },
  { id: 'dkim-lookup-failed', severity: 'warning', rfc: r6376('3.6.2.2'), title: 'The key lookup failed (SERVFAIL, timeout): verifiers return temperror', fix: 'Check the nameservers of the selector name', check: statusFindings(['temperror'], (r) => `selector ${r.selector}: ${r.reason}`) },
  { id: 'dkim-unresolvable', severity: 'info', rfc: r6376('3.6.2.2'), title: 'The selector name is outside the audited zone and no nameserver was given: not checked', fix: 'Pass --nameserver', check: statusFindings(['unresolvable'], (r) => `selector ${r.selector}: ${r.reason}`) },
  { id: 'dkim-syntax', severity: 'error', rfc: r6376('3.6.1'), title: 'The key record is not a valid tag list (v=DKIM1 first if present, each tag once, p= present)', fix: 'Write it as "v=DKIM1; k=rsa; p=<base64 key>"', check: keyFindings('dkim-syntax') },
  { id: 'dkim-revoked', severity: 'error', rfc: r6376('3.6.1'), title: 'Empty p=: the key is revoked, signatures with this selector fail', fix: 'Publish the current key, or stop signing with this selector (and drop it from auth.dkim)', check: keyFindings('dkim-revoked') },
  { id: 'dkim-key-type', severity: 'error', rfc: { rfc: 8463, section: '4.2' }, title: 'k= is not rsa or ed25519, or p= holds a key of another type', fix: 'Set k= to the type of the key in p=', check: keyFindings('dkim-key-type') },
  { id: 'dkim-key-undecodable', severity: 'error', rfc: r6376('3.6.1'), title: 'p= does not decode to a public key', fix: 'Publish the base64 DER SubjectPublicKeyInfo (RSA) or the raw 32-octet key (Ed25519)', check: keyFindings('dkim-key-undecodable') },
  { id: 'dkim-rsa-too-short', severity: 'error', rfc: { rfc: 8301, section: '3.2' }, title: 'RSA key under 1024 bits: verifiers must not accept its signatures', fix: 'Generate a 2048-bit key under a new selector', check: keyFindings('dkim-rsa-too-short') },
  { id: 'dkim-rsa-below-2048', severity: 'warning', rfc: { rfc: 8301, section: '3.2' }, title: 'RSA key under 2048 bits: signers should use at least 2048', fix: 'Rotate to a 2048-bit key under a new selector', check: keyFindings('dkim-rsa-below-2048') },
  { id: 'dkim-testing', severity: 'warning', rfc: r6376('3.6.1'), title: 't=y: the domain is testing DKIM; verifiers treat its mail as unsigned', fix: 'Remove t=y once signing works', check: keyFindings('dkim-testing') },
  { id: 'dkim-sha1-only', severity: 'error', rfc: { rfc: 8301, section: '3.1' }, title: 'h= allows only sha1, which must not be used', fix: 'Remove h= (or set h=sha256)', check: keyFindings('dkim-sha1-only') },
  { id: 'dkim-service-not-email', severity: 'error', rfc: r6376('3.6.1'), title: 's= excludes email: the key cannot verify mail', fix: 'Remove s= (or set s=email)', check: keyFindings('dkim-service-not-email') },
  { id: 'dkim-string-too-long', severity: 'error', rfc: { rfc: 1035, section: '3.3.14' }, title: 'A TXT character-string over 255 octets: the record cannot be published as is', fix: 'Split the key into strings of at most 255 octets', check: keyFindings('dkim-string-too-long') },
  { id: 'dkim-ed25519-only', severity: 'info', rfc: { rfc: 8463, section: '3' }, title: 'Only Ed25519 keys: many verifiers still support only RSA', fix: 'Also sign with an RSA-2048 selector', check: keyFindings('dkim-ed25519-only') },
  {
    id: 'dkim-no-selectors',
    severity: 'info',
    rfc: r6376('3.6.2.1'),
    title: 'No DKIM selector to check (selectors cannot be discovered from DNS)',
    fix: 'List the selectors with --dkim-selector S or auth.dkim in the config',
    async check(context) {
      return context.dkimSelectors.length === 0 ? [{ record: recordLabel(`_domainkey.${context.domain}`, 'TXT'), message: 'no selector given' }] : [];
    },
  },
];
