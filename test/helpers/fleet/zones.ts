// A generated fleet of customer zones for the fleet audit tests and bench/fleet: an ISP zone
// (isp.test: MX hosts, the shared SPF include, ten more includes for the 11-lookup defect), a
// parent zone (test: the delegations of the customers whose servers are dead or lame), a zone
// "elsewhere" (other.test) and one zone per customer, c0001.test ..., most clean, some with one
// seeded defect each. Every address is in 127.14.0.0/16. PURE: text only, no files, no sockets.
import { generateKeyPairSync } from 'node:crypto';

export const DEFECTS = [
  'spf-none', // no SPF record
  'include-gone', // includes a name that no longer exists
  'eleven-lookups', // the ISP include plus ten more: 11 lookups
  'spf-no-isp', // an SPF without the ISP's include (only its own address)
  'mx-dangling', // MX to a name without address
  'mx-elsewhere', // MX to another provider's host (which resolves)
  'dkim-missing', // no key at selector s1
  'dkim-revoked', // s1 with an empty p=
  'dkim-stale', // s1 with an old (valid) key
  'dmarc-missing', // no DMARC record
  'dmarc-none', // p=none
] as const;

export type Defect = 'clean' | (typeof DEFECTS)[number] | 'dead' | 'lame' | 'servfail';

/** What `audit --domains --dkim-selector s1` must report at error or warning level for each kind (no config: generic rules only). */
export const GENERIC_IDS: Record<Defect, string[]> = {
  clean: [],
  'spf-none': ['spf-missing'],
  'include-gone': ['spf-include-no-record'],
  'eleven-lookups': ['spf-too-many-lookups'],
  'spf-no-isp': [],
  'mx-dangling': ['mx-target-unresolvable'],
  'mx-elsewhere': [],
  'dkim-missing': ['dkim-missing'],
  'dkim-revoked': ['dkim-revoked'],
  'dkim-stale': [],
  'dmarc-missing': ['dmarc-missing'],
  'dmarc-none': ['dmarc-policy-none'],
  dead: ['dns-temperror'],
  lame: ['dns-temperror'],
  servfail: ['dns-temperror'],
};

export interface FleetAddresses {
  /** the nameserver (NSD) serving every zone, port 53 */
  ns: string;
  /** a second address of the same NSD: a delegation to it is lame (it does not serve the child) */
  lame: string;
  /** an address where nothing ever answers (a black hole), port 53 */
  dead: string;
}

export interface FleetDomain {
  domain: string;
  defect: Defect;
}

export interface ZoneText {
  name: string;
  text: string;
}

export interface Fleet {
  domains: FleetDomain[];
  /** zones NSD serves (test first): test, isp.test, other.test and every customer zone except the dead and lame ones */
  zones: ZoneText[];
  keys: { current: string; stale: string };
}

export const ISP = 'isp.test';
export const MX_HOSTS = [
  { name: 'mx1.isp.test', address: '127.14.1.10' },
  { name: 'mx2.isp.test', address: '127.14.1.11' },
];
export const RELAY_BLOCK = '127.14.2.0/28';

function rsaKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}

/** TXT value in master-file form: strings of at most 255 octets. */
export function txt(value: string): string {
  return (value.match(/.{1,255}/g) ?? ['']).map((part) => `"${part}"`).join(' ');
}

const soa = (origin: string) => `$ORIGIN ${origin}.\n$TTL 3600\n@ IN SOA ns1.test. hostmaster.${origin}. 1 3600 600 86400 300\n`;

export interface FleetOptions {
  count: number;
  addresses: FleetAddresses;
  /** one customer in `defectEvery` gets a defect, cycling through DEFECTS (default 3) */
  defectEvery?: number;
  /** customers delegated to a server that never answers (default 2) */
  dead?: number;
  /** customers delegated to a server that does not serve them (default 1) */
  lame?: number;
  /** customers whose zone file NSD cannot load: it answers SERVFAIL (default 1) */
  servfail?: number;
  keys?: { current: string; stale: string };
  /**
   * publish _mta-sts and _smtp._tls TXT records in the customer zones (default true). bench/fleet
   * leaves the MTA-STS one out: checkdmarc fetches the policy over HTTPS when it sees one, which
   * would resolve mta-sts.<domain> through the system resolver, off loopback.
   */
  mtaSts?: boolean;
}

export function buildFleet(options: FleetOptions): Fleet {
  const keys = options.keys ?? { current: rsaKey(), stale: rsaKey() };
  const every = options.defectEvery ?? 3;
  const domains: FleetDomain[] = [];
  let nextDefect = 0;
  for (let i = 1; i <= options.count; i++) {
    const domain = `c${String(i).padStart(4, '0')}.test`;
    let defect: Defect = 'clean';
    if (i % every === 0) defect = DEFECTS[nextDefect++ % DEFECTS.length] as Defect;
    domains.push({ domain, defect });
  }
  // dead and lame customers at fixed positions spread over the list
  const place = (n: number, kind: Defect, offset: number) => {
    for (let k = 0; k < n; k++) {
      const at = Math.min(options.count - 1, Math.floor(((k + 0.5) * options.count) / n) + offset);
      (domains[at] as FleetDomain).defect = kind;
    }
  };
  place(options.dead ?? 2, 'dead', 1);
  place(options.lame ?? 1, 'lame', 2);
  place(options.servfail ?? 1, 'servfail', 4);

  const { ns, lame, dead } = options.addresses;
  const parent = [soa('test'), `@ IN NS ns1.test.\nns1 IN A ${ns}\n`];
  for (const { domain, defect } of domains) {
    if (defect !== 'dead' && defect !== 'lame') continue;
    const label = domain.replace(/\.test$/, '');
    parent.push(`${label} IN NS ns.${label}.test.\nns.${label} IN A ${defect === 'dead' ? dead : lame}\n`);
  }
  const isp = [soa(ISP), `@ IN NS ns1.test.\n`, ...MX_HOSTS.map((h) => `${h.name}. IN A ${h.address}\n`), `_spf IN TXT "v=spf1 ip4:${RELAY_BLOCK} -all"\n`];
  for (let n = 1; n <= 10; n++) isp.push(`_l${n} IN TXT "v=spf1 ip4:127.14.9.${n} -all"\n`);
  const other = [soa('other.test'), '@ IN NS ns1.test.\nmx IN A 127.14.3.1\n'];
  const zones: ZoneText[] = [
    { name: 'test', text: parent.join('') },
    { name: ISP, text: isp.join('') },
    { name: 'other.test', text: other.join('') },
  ];
  for (const entry of domains) if (entry.defect !== 'dead' && entry.defect !== 'lame') zones.push({ name: entry.domain, text: customerZone(entry, keys, options.mtaSts ?? true) });
  return { domains, zones, keys };
}

/** The records a customer should have (clean), with the one seeded defect applied. */
export function customerZone({ domain, defect }: FleetDomain, keys: { current: string; stale: string }, mtaSts = true): string {
  if (defect === 'servfail') return `${soa(domain)}@ IN NS ns1.test.\n@ IN BROKEN this line does not parse\n`;
  const lines = [soa(domain), '@ IN NS ns1.test.\n'];
  if (defect === 'mx-dangling') lines.push('@ IN MX 10 mail.gone.test.\n');
  else if (defect === 'mx-elsewhere') lines.push('@ IN MX 10 mx.other.test.\n');
  else lines.push(...MX_HOSTS.map((h, i) => `@ IN MX ${10 * (i + 1)} ${h.name}.\n`));
  const spf: Partial<Record<Defect, string | null>> = {
    'spf-none': null,
    'include-gone': 'v=spf1 include:_spf.isp.test include:_spf.old-isp.test -all',
    'eleven-lookups': `v=spf1 include:_spf.isp.test ${Array.from({ length: 10 }, (_, n) => `include:_l${n + 1}.isp.test`).join(' ')} -all`,
    'spf-no-isp': 'v=spf1 ip4:127.14.9.200 -all',
  };
  const spfText = defect in spf ? spf[defect] : 'v=spf1 include:_spf.isp.test -all';
  if (spfText) lines.push(`@ IN TXT ${txt(spfText)}\n`);
  if (defect !== 'dmarc-missing') lines.push(`_dmarc IN TXT "v=DMARC1; p=${defect === 'dmarc-none' ? 'none' : 'reject'}; rua=mailto:dmarc@${domain}"\n`);
  const key = defect === 'dkim-revoked' ? '' : defect === 'dkim-stale' ? keys.stale : keys.current;
  if (defect !== 'dkim-missing') lines.push(`s1._domainkey IN TXT ${txt(`v=DKIM1; k=rsa; p=${key}`)}\n`);
  if (mtaSts) lines.push('_mta-sts IN TXT "v=STSv1; id=20261201"\n');
  lines.push(`_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@${domain}"\n`);
  return lines.join('');
}
