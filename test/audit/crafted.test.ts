// The crafted-zone library: the clean zone has no findings; each case changes one thing and must
// produce exactly the listed rule ids (and nothing else).
import { describe, expect, it } from 'vitest';
import { runAudit, type AuditReport } from '../../src/audit/run.ts';
import { zoneResolver } from '../../src/audit/zone-resolver.ts';
import type { Resolver } from '../../src/audit/resolver.ts';
import type { RecordSet } from '../../src/model.ts';
import { ruleById } from '../../src/audit/registry.ts';
import { dkimTxt, rsaPublicKey, servfailAt, zoneSets, type Part } from './helpers/zones.ts';
import type { TransportSources } from '../../src/audit/transport-sources.ts';

interface Case {
  name: string;
  changes?: Partial<Record<Part, string | null>>;
  extra?: string[];
  expect: string[];
  domain?: string;
  selectors?: string[];
  /** wrap the zone resolver (SERVFAIL injection, a second zone outside) */
  resolver?: (zone: Resolver) => Resolver;
  /** edit the parsed sets (what a master file cannot express, e.g. a TXT string over 255 octets) */
  mutate?: (sets: RecordSet[]) => void;
  /** something the finding's message must say */
  message?: RegExp;
  /** the MTA-STS policy and the keys MX hosts present (what a live audit fetches and probes) */
  transport?: TransportSources;
}

const spf = (text: string) => ({ spf: `@ IN TXT "${text}"` });
const dmarc = (text: string) => ({ dmarc: `_dmarc IN TXT "${text}"` });
const KEY_1024 = rsaPublicKey(1024);
const KEY_2048 = rsaPublicKey(2048);

async function audit(c: Pick<Case, 'changes' | 'extra' | 'domain' | 'selectors' | 'resolver' | 'mutate' | 'transport'>): Promise<AuditReport> {
  const sets = zoneSets(c.changes, c.extra);
  c.mutate?.(sets);
  const zone = zoneResolver('example.com', sets);
  return runAudit({ domain: c.domain ?? 'example.com', source: 'live', resolver: c.resolver ? c.resolver(zone) : zone, dkimSelectors: c.selectors ?? ['s1'], now: 0, ...(c.transport ? { transport: c.transport } : {}) });
}

// transport security: the policy a sender would fetch, the key a host presents, signed answers
const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);
const policy = (text: string, key = HEX_A): TransportSources => ({
  fetchPolicy: () => Promise.resolve({ status: 'ok', text }),
  presentedKeys: () => Promise.resolve({ status: 'ok', digests: { spkiSha256: key, spkiSha512: key.repeat(2), certSha256: HEX_B, certSha512: HEX_B.repeat(2) } }),
});
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n';
const signedTlsa = (zone: Resolver): Resolver => ({ ...zone, tlsa: async (n) => ({ ...(await (zone.tlsa as NonNullable<Resolver['tlsa']>)(n)), signed: true }) as never });

const ids = (report: AuditReport) => [...new Set(report.findings.map((f) => f.id))].sort();

const cases: Case[] = [
  // SPF
  { name: 'no SPF record', changes: { spf: null }, expect: ['spf-missing'] },
  { name: 'two SPF records', extra: ['@ IN TXT "v=spf1 -all"'], expect: ['spf-multiple-records'] },
  { name: 'a syntax error', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.300 -all'), expect: ['spf-syntax'], message: /column 27: ip4: "192.0.2.300" is not an IPv4 address/ },
  {
    name: '11 DNS lookups',
    changes: spf(`v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 ${Array.from({ length: 11 }, (_, i) => `include:_i${i}.example.com`).join(' ')} -all`),
    extra: Array.from({ length: 11 }, (_, i) => `_i${i} IN TXT "v=spf1 -all"`),
    expect: ['spf-too-many-lookups'],
    message: /11 DNS lookups/,
  },
  { name: '3 void lookups', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 a:nx1.example.com a:nx2.example.com a:nx3.example.com -all'), expect: ['spf-too-many-void-lookups'] },
  {
    name: 'mx with 11 targets',
    changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 mx:many.example.com -all'),
    extra: Array.from({ length: 11 }, (_, i) => `many IN MX ${i} t${i}.example.com.\nt${i} IN A 192.0.2.${100 + i}`),
    expect: ['spf-mx-too-many-targets'],
  },
  { name: '+all', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 +all'), expect: ['spf-plus-all'] },
  { name: '?all', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 ?all'), expect: ['spf-neutral-all'] },
  { name: 'no all', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21'), expect: ['spf-no-all'] },
  { name: 'ptr mechanism', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 ptr -all'), expect: ['spf-ptr'] },
  { name: 'redirect next to all', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 -all redirect=_spf.partner.example'), expect: ['spf-redirect-ignored'] },
  {
    name: 'a 269-octet string',
    mutate: (sets) => {
      const set = sets.find((s) => s.name === 'example.com' && s.type === 'TXT') as RecordSet;
      set.values = [{ data: { type: 'TXT', strings: [`v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 ${'ip4:203.0.113.0/25 '.repeat(12)}-all`] } }];
    },
    expect: ['spf-string-too-long'],
    message: /a character-string of 269 octets/,
  },
  {
    name: 'a 470-octet record',
    changes: { spf: `@ IN TXT "v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 ${'ip4:203.0.113.0/25 '.repeat(11)}" "${'ip4:203.0.113.0/25 '.repeat(11)}-all"` },
    expect: ['spf-record-over-450'],
  },
  {
    name: 'a 530-octet record',
    changes: { spf: `@ IN TXT "v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 ${'ip4:203.0.113.0/25 '.repeat(11)}" "${'ip4:203.0.113.0/25 '.repeat(13)}" "${'ip4:203.0.113.0/25 '.repeat(2)}-all"` },
    expect: ['spf-record-over-512'],
  },
  {
    name: 'an include loop',
    changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 include:_loop.example.com -all'),
    extra: ['_loop IN TXT "v=spf1 include:example.com -all"'],
    expect: ['spf-include-loop'],
    message: /example\.com -> _loop\.example\.com -> example\.com/,
  },
  { name: 'include of a name without SPF', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 include:relay1.example.com -all'), expect: ['spf-include-no-record'] },
  { name: 'a macro', changes: spf('v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 exists:%{i}._spf.example.com -all'), expect: ['spf-macro'] },
  { name: 'SERVFAIL on an include', resolver: (zone) => servfailAt(zone, '_spf.partner.example'), expect: ['spf-lookup-temperror'] },
  { name: 'include outside the zone, no nameserver', changes: { partner: null }, expect: ['spf-unresolvable'] },
  // DMARC
  { name: 'no DMARC record', changes: { dmarc: null }, expect: ['dmarc-missing'] },
  { name: 'two DMARC records', extra: ['_dmarc IN TXT "v=DMARC1; p=none"'], expect: ['dmarc-multiple-records'] },
  { name: 'DMARC without p=', changes: dmarc('v=DMARC1; rua=mailto:dmarc@example.com'), expect: ['dmarc-syntax'] },
  { name: 'DMARC bad value', changes: dmarc('v=DMARC1; p=reject; adkim=x; rua=mailto:dmarc@example.com'), expect: ['dmarc-invalid-value'], message: /adkim=x/ },
  { name: 'p=none on a sending domain', changes: dmarc('v=DMARC1; p=none; rua=mailto:dmarc@example.com'), expect: ['dmarc-policy-none'] },
  { name: 'pct=50', changes: dmarc('v=DMARC1; p=reject; pct=50; rua=mailto:dmarc@example.com'), expect: ['dmarc-pct-partial'] },
  { name: 'rua without mailto:', changes: dmarc('v=DMARC1; p=reject; rua=dmarc@example.com'), expect: ['dmarc-uri-invalid'] },
  { name: 'no rua', changes: dmarc('v=DMARC1; p=reject'), expect: ['dmarc-no-rua'] },
  {
    name: 'external rua not authorised',
    changes: dmarc('v=DMARC1; p=reject; rua=mailto:d@reports.example.net'),
    resolver: (zone) => ({ ...zone, txt: (n) => (n.endsWith('example.net') ? Promise.resolve({ status: 'nxdomain' }) : zone.txt(n)) }),
    expect: ['dmarc-external-unauthorised'],
    message: /example\.com\._report\._dmarc\.reports\.example\.net/,
  },
  { name: 'external rua authorised', changes: dmarc('v=DMARC1; p=reject; rua=mailto:d@reports.example.net'), extra: ['example.com._report._dmarc.reports.example.net. IN TXT "v=DMARC1"'], expect: [] },
  { name: 'external rua, no nameserver', changes: dmarc('v=DMARC1; p=reject; rua=mailto:d@reports.example.net'), expect: ['dmarc-external-unchecked'] },
  {
    name: 'RFC 7489 and RFC 9989 disagree',
    domain: 'mail.corp.example.com',
    changes: { dmarc: '_dmarc.corp IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"', spf: '@ IN TXT "v=spf1 -all"\nmail.corp IN TXT "v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 -all"\nmail.corp IN MX 10 mx1.example.com.', mtaSts: '_mta-sts.mail.corp IN TXT "v=STSv1; id=1"', tlsRpt: '_smtp._tls.mail.corp IN TXT "v=TLSRPTv1; rua=mailto:t@example.com"', dkim: `s1._domainkey.mail.corp IN TXT ${dkimTxt(`v=DKIM1; p=${KEY_2048}`)}` },
    expect: ['dmarc-discovery-differs'],
    message: /RFC 7489 \(organisational domain example\.com\) finds no record; the RFC 9989 tree walk finds the record at _dmarc\.corp\.example\.com/,
  },
  { name: 'DMARC SERVFAIL', resolver: (zone) => servfailAt(zone, '_dmarc.example.com'), expect: ['dmarc-lookup-failed'] },
  // DKIM
  { name: 'selector without a record', selectors: ['s1', 's2'], expect: ['dkim-missing'] },
  { name: 'no selector given', selectors: [], expect: ['dkim-no-selectors'] },
  { name: 'a 1024-bit key', changes: { dkim: `s1._domainkey IN TXT ${dkimTxt(`v=DKIM1; k=rsa; p=${KEY_1024}`)}` }, expect: ['dkim-rsa-below-2048'] },
  { name: 'a revoked key', changes: { dkim: 's1._domainkey IN TXT "v=DKIM1; k=rsa; p="' }, expect: ['dkim-revoked'] },
  { name: 't=y', changes: { dkim: `s1._domainkey IN TXT ${dkimTxt(`v=DKIM1; k=rsa; t=y; p=${KEY_2048}`)}` }, expect: ['dkim-testing'] },
  { name: 'a broken key record', changes: { dkim: `s1._domainkey IN TXT ${dkimTxt(`v=DKIM1; k=rsa; k=rsa; p=${KEY_2048}`)}` }, expect: ['dkim-syntax'] },
  { name: 'DKIM SERVFAIL', resolver: (zone) => servfailAt(zone, 's1._domainkey.example.com'), expect: ['dkim-lookup-failed'] },
  // MX
  { name: 'no MX', changes: { mx: null }, expect: ['mx-missing'] },
  { name: 'null MX', changes: { mx: '@ IN MX 0 .' }, expect: ['mx-null'] },
  { name: 'null MX with another MX', changes: { mx: '@ IN MX 0 .\n@ IN MX 10 mx1.example.com.' }, expect: ['mx-null-not-alone'] },
  { name: 'MX target is a CNAME', changes: { mxHosts: 'mx1 IN CNAME host1.example.com.\nhost1 IN A 192.0.2.10\nmx2 IN A 192.0.2.11' }, expect: ['mx-target-cname'] },
  { name: 'MX target is an IP literal', changes: { mx: '@ IN MX 10 mx1.example.com.\n@ IN MX 20 192.0.2.11.' }, expect: ['mx-target-ip-literal'] },
  { name: 'MX target without address', changes: { mxHosts: 'mx1 IN A 192.0.2.10' }, expect: ['mx-target-unresolvable'] },
  { name: 'MX target outside, no nameserver', changes: { mx: '@ IN MX 10 mx1.example.com.\n@ IN MX 20 mx.backup.example.' }, expect: ['mx-target-unchecked'] },
  { name: 'MX target SERVFAIL', resolver: (zone) => servfailAt(zone, 'mx2.example.com'), expect: ['mx-lookup-failed'] },
  // PTR
  { name: 'relay without PTR', changes: { ptr: '20.2.0.192.in-addr.arpa. IN PTR relay1.example.com.\n21.2.0.192.in-addr.arpa. IN TXT "no PTR here"' }, expect: ['ptr-missing'] },
  { name: 'PTR not forward-confirmed', changes: { ptr: '20.2.0.192.in-addr.arpa. IN PTR relay1.example.com.\n21.2.0.192.in-addr.arpa. IN PTR relay9.example.com.', relays: 'relay1 IN A 192.0.2.20\nrelay9 IN A 192.0.2.99' }, expect: ['ptr-not-forward-confirmed'] },
  { name: 'PTR SERVFAIL', resolver: (zone) => servfailAt(zone, '192.0.2.21'), expect: ['ptr-lookup-failed'] },
  { name: 'reverse zone not here', changes: { ptr: null }, expect: ['ptr-unchecked'] },
  // MTA-STS / TLS-RPT
  { name: 'no MTA-STS', changes: { mtaSts: null }, expect: ['mta-sts-missing'] },
  { name: 'no MTA-STS, no TLS-RPT: nothing to report on', changes: { mtaSts: null, tlsRpt: null }, expect: ['mta-sts-missing'] },
  { name: 'no TLS-RPT', changes: { tlsRpt: null }, expect: ['tls-rpt-missing'] },
  { name: 'TLS-RPT without rua', changes: { tlsRpt: '_smtp._tls IN TXT "v=TLSRPTv1"' }, expect: ['tls-rpt-missing'], message: /no rua=/ },
  { name: 'two STSv1 records', extra: ['_mta-sts IN TXT "v=STSv1; id=2"'], expect: ['mta-sts-record-invalid'], message: /2 v=STSv1 records/ },
  { name: 'an STS id with a dash', changes: { mtaSts: '_mta-sts IN TXT "v=STSv1; id=2026-01-01"' }, expect: ['mta-sts-record-invalid'] },
  { name: 'the policy covers every MX', transport: policy(POLICY), expect: [] },
  { name: 'a wildcard covers every MX', transport: policy(POLICY.replace('mx: mx1.example.com\r\nmx: mx2.example.com', 'mx: *.example.com')), expect: [] },
  { name: 'an MX host the policy does not name', transport: policy(POLICY.replace('mx: mx2.example.com\r\n', '')), expect: ['mta-sts-mx-not-covered'], message: /mx2\.example\.com is not matched by the enforce policy/ },
  { name: 'mode none names nobody', transport: policy('version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n'), expect: [] },
  { name: 'the policy cannot be fetched', transport: { ...policy(POLICY), fetchPolicy: () => Promise.resolve({ status: 'failed', reason: 'HTTP 301 redirect to https://www.example.com/: senders must not follow redirects (RFC 8461 3.3)' }) }, expect: ['mta-sts-policy-unreachable'], message: /redirect/ },
  { name: 'the policy is not a policy', transport: policy('<html>hello</html>'), expect: ['mta-sts-policy-unreachable'], message: /not valid/ },
  // DANE
  { name: 'TLSA of the presented key, signed', extra: [`_25._tcp.mx1 IN TLSA 3 1 1 ${HEX_A}`], transport: policy(POLICY), resolver: signedTlsa, expect: [] },
  { name: 'TLSA in an unsigned zone', extra: [`_25._tcp.mx1 IN TLSA 3 1 1 ${HEX_A}`], transport: policy(POLICY), expect: ['dane-no-dnssec'] },
  { name: 'TLSA of another key', extra: [`_25._tcp.mx1 IN TLSA 3 1 1 ${HEX_B}`], transport: policy(POLICY), resolver: signedTlsa, expect: ['dane-tlsa-mismatch'], message: /mx1\.example\.com presents a key with SPKI SHA-256 a{64}; no TLSA record/ },
  { name: 'TLSA with a PKIX usage', extra: [`_25._tcp.mx2 IN TLSA 1 1 1 ${HEX_B}`], transport: policy(POLICY), resolver: signedTlsa, expect: ['dane-usage-pkix'] },
  { name: 'TLSA but no TLS-RPT', changes: { mtaSts: null, tlsRpt: null }, extra: [`_25._tcp.mx1 IN TLSA 3 1 1 ${HEX_A}`], transport: policy(POLICY), resolver: signedTlsa, expect: ['mta-sts-missing', 'tls-rpt-missing'], message: /uses DANE but has no v=TLSRPTv1/ },
];

describe('crafted zones', () => {
  it('the clean zone has no findings at all', async () => {
    const report = await audit({});
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ errors: 0, warnings: 0, infos: 0 });
  });

  for (const c of cases) {
    it(`${c.name}: ${c.expect.join(', ') || 'no finding'}`, async () => {
      const report = await audit(c);
      expect(ids(report), JSON.stringify(report.findings, null, 1)).toEqual([...c.expect].sort());
      for (const finding of report.findings) {
        const rule = ruleById(finding.id);
        expect(finding.severity).toBe(rule?.severity);
        expect(finding.rfc).toMatch(/^RFC \d+ [\d.]+$/);
        expect(finding.record.length).toBeGreaterThan(0);
      }
      if (c.message) expect(report.findings.map((f) => f.message).join('\n')).toMatch(c.message);
    });
  }
});
