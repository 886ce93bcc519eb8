// A library of crafted zones for the auditor: one clean zone (master-file text) whose parts can be
// replaced or removed, so each defect case changes exactly one thing.
import { generateKeyPairSync } from 'node:crypto';
import { parseZone } from '../../../src/dns/masterfile.ts';
import type { RecordSet } from '../../../src/model.ts';
import type { Answer, Resolver } from '../../../src/audit/resolver.ts';

/** base64 SubjectPublicKeyInfo of a fresh RSA key of `bits` bits */
export function rsaPublicKey(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}

/** A DKIM TXT value in master-file form, split into quoted strings of at most 255 octets. */
export function dkimTxt(record: string): string {
  return (record.match(/.{1,255}/g) ?? []).map((part) => `"${part}"`).join(' ');
}

const KEY_2048 = rsaPublicKey(2048);

export type Part =
  | 'soa' | 'mx' | 'mxHosts' | 'spf' | 'partner' | 'dmarc' | 'dkim' | 'mtaSts' | 'tlsRpt' | 'relays' | 'ptr';

/** The clean zone of example.com: MX on two hosts, SPF for two relays plus a partner include,
 *  DMARC p=reject, a 2048-bit DKIM key, MTA-STS, TLS-RPT, forward-confirmed PTRs. */
export function cleanParts(): Record<Part, string> {
  return {
    soa: '@ 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 604800 60\n@ 3600 IN NS ns1.example.com.\nns1 IN A 192.0.2.53',
    mx: '@ IN MX 10 mx1.example.com.\n@ IN MX 20 mx2.example.com.',
    mxHosts: 'mx1 IN A 192.0.2.10\nmx2 IN A 192.0.2.11',
    spf: '@ IN TXT "v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 include:_spf.partner.example -all"',
    partner: '_spf.partner.example. IN TXT "v=spf1 ip4:198.51.100.0/24 -all"',
    dmarc: '_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"',
    dkim: `s1._domainkey IN TXT ${dkimTxt(`v=DKIM1; k=rsa; p=${KEY_2048}`)}`,
    mtaSts: '_mta-sts IN TXT "v=STSv1; id=20260101"',
    tlsRpt: '_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@example.com"',
    relays: 'relay1 IN A 192.0.2.20\nrelay2 IN A 192.0.2.21',
    ptr: '20.2.0.192.in-addr.arpa. IN PTR relay1.example.com.\n21.2.0.192.in-addr.arpa. IN PTR relay2.example.com.',
  };
}

/** The zone text with some parts replaced (string) or removed (null), plus extra lines. */
export function zoneText(changes: Partial<Record<Part, string | null>> = {}, extra: string[] = []): string {
  const parts = { ...cleanParts(), ...changes };
  const body = Object.values(parts).filter((part): part is string => part !== null);
  return ['$ORIGIN example.com.', '$TTL 300', ...body, ...extra, ''].join('\n');
}

export function zoneSets(changes: Partial<Record<Part, string | null>> = {}, extra: string[] = []): RecordSet[] {
  return parseZone(zoneText(changes, extra), 'example.com');
}

/** Wraps a resolver so that one name (any type, or PTR of one address) fails with SERVFAIL. */
export function servfailAt(inner: Resolver, failing: string): Resolver {
  const fail = <T>(name: string, ask: () => Promise<Answer<T>>): Promise<Answer<T>> =>
    name.toLowerCase() === failing ? Promise.resolve({ status: 'temperror', reason: `${name}: SERVFAIL` }) : ask();
  return {
    txt: (n) => fail(n, () => inner.txt(n)),
    a: (n) => fail(n, () => inner.a(n)),
    aaaa: (n) => fail(n, () => inner.aaaa(n)),
    mx: (n) => fail(n, () => inner.mx(n)),
    cname: (n) => fail(n, () => inner.cname(n)),
    ptr: (ip) => fail(ip, () => inner.ptr(ip)),
  };
}
