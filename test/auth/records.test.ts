import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { HealthSnapshot, HostHealth, RecordSet } from '../../src/model.ts';
import { authRecordSets } from '../../src/auth/records.ts';
import { desired } from '../../src/desired.ts';
import { zoneResolver } from '../../src/audit/zone-resolver.ts';
import { evaluateSpf } from '../../src/audit/spf/evaluate.ts';

function config(yamlPools: string, auth: string, ttl = 30): Config {
  return parseConfig(`zone: example.com\nttl: ${ttl}\npools:\n${yamlPools}\nauth:\n${auth}\n`);
}

const relays = (addresses: string[], disabled: number[] = []) =>
  `  - name: outbound\n    role: outbound\n    hosts:\n${addresses.map((a, i) => `      - { name: r${i}.example.com, address: "${a}"${disabled.includes(i) ? ', disabled: true' : ''} }`).join('\n')}`;
const inbound = `  - name: inbound\n    role: inbound\n    mx: { name: example.com }\n    hosts:\n      - { name: mx1.example.com, address: 192.0.2.250 }`;

const txt = (sets: RecordSet[], name: string) => {
  const data = sets.find((s) => s.name === name && s.type === 'TXT')?.values[0]?.data;
  return data?.type === 'TXT' ? data.strings : undefined;
};

const health = (entries: Partial<HostHealth & { host: string }>[]): HealthSnapshot =>
  new Map(entries.map((e) => [e.host as string, { pool: 'outbound', state: 'healthy', since: 0, ...e } as HostHealth]));

describe('authRecordSets: SPF', () => {
  it('lists outbound addresses aggregated, then extra, include and all; inbound hosts are not senders', () => {
    const c = config(`${inbound}\n${relays(['192.0.2.8', '192.0.2.9', '192.0.2.10', '192.0.2.11', '2001:db8::5'])}`, '  spf: { extra: ["ip4:198.51.100.0/24"], include: ["_spf.mailer.example"], all: "~all" }');
    const { sets, notes } = authRecordSets(c, new Map(), 0);
    expect(txt(sets, 'example.com')).toEqual(['v=spf1 ip4:192.0.2.8/30 ip6:2001:db8::5 ip4:198.51.100.0/24 include:_spf.mailer.example ~all']);
    const spf = sets.find((s) => s.name === 'example.com');
    expect(spf).toMatchObject({ type: 'TXT', ttl: 30, source: 'auth' });
    expect(notes).toEqual([]);
  });

  it('keeps healthy, unhealthy and draining hosts; a disabled host leaves after twice the TTL', () => {
    const c = config(relays(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']), '  spf: {}', 30);
    const withdrawnAt = 1_000_000;
    const snapshot = health([
      { host: 'r0.example.com', state: 'healthy' },
      { host: 'r1.example.com', state: 'unhealthy' },
      { host: 'r2.example.com', state: 'draining', withdrawnAt },
      { host: 'r3.example.com', state: 'disabled', withdrawnAt },
    ]);
    const at = (now: number) => txt(authRecordSets(c, snapshot, now).sets, 'example.com')?.join('');
    expect(at(withdrawnAt + 59_999)).toBe('v=spf1 ip4:192.0.2.1 ip4:192.0.2.2/31 ip4:192.0.2.4 -all');
    expect(at(withdrawnAt + 60_000)).toBe('v=spf1 ip4:192.0.2.1 ip4:192.0.2.2/31 -all');
  });

  it('leaves out a host disabled in the config with no withdrawal time, keeps retired addresses until their grace ends', () => {
    const c = config(relays(['192.0.2.1', '192.0.2.2'], [1]), '  spf: {}');
    const retired = [{ address: '203.0.113.7', until: 5000 }];
    expect(txt(authRecordSets(c, new Map(), 4999, retired).sets, 'example.com')).toEqual(['v=spf1 ip4:192.0.2.1 ip4:203.0.113.7 -all']);
    expect(txt(authRecordSets(c, new Map(), 5000, retired).sets, 'example.com')).toEqual(['v=spf1 ip4:192.0.2.1 -all']);
  });

  it('splits strings at 255 octets', () => {
    // 30 scattered addresses: about 400 octets, under the 450 chain threshold
    const addresses = Array.from({ length: 24 }, (_, i) => `198.51.100.${i * 2 + 1}`);
    const { sets } = authRecordSets(config(relays(addresses), '  spf: {}'), new Map(), 0);
    const strings = txt(sets, 'example.com') as string[];
    expect(strings.length).toBe(2);
    expect(Buffer.byteLength(strings[0] as string)).toBe(255);
    expect(strings.join('')).toBe(`v=spf1 ${addresses.map((a) => `ip4:${a}`).join(' ')} -all`);
  });

  it('moves addresses into an include chain past 450 octets; every relay still passes, others fail', async () => {
    const addresses = Array.from({ length: 90 }, (_, i) => `10.${i}.0.${(i * 7) % 250 + 1}`);
    const c = config(relays(addresses), '  spf: { extra: ["ip4:198.51.100.0/24"], all: "-all" }');
    const { sets, notes } = authRecordSets(c, new Map(), 0);
    const apex = (txt(sets, 'example.com') as string[]).join('');
    expect(apex).toBe('v=spf1 include:_spf1.example.com ip4:198.51.100.0/24 -all');
    const chain = sets.filter((s) => /^_spf\d+\.example\.com$/.test(s.name));
    expect(chain.length).toBeGreaterThanOrEqual(3);
    chain.forEach((set, i) => {
      const text = (txt(sets, set.name) as string[]).join('');
      expect(set.name).toBe(`_spf${i + 1}.example.com`);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(450);
      expect(text.endsWith(i + 1 < chain.length ? `include:_spf${i + 2}.example.com -all` : ' -all')).toBe(true);
    });
    expect(notes.join(' ')).toMatch(/include chain/);
    const resolver = zoneResolver('example.com', sets);
    for (const ip of [addresses[0], addresses[45], addresses[89], '198.51.100.9'] as string[]) {
      expect((await evaluateSpf(resolver, { ip, sender: 'postmaster@example.com' })).result).toBe('pass');
    }
    expect((await evaluateSpf(resolver, { ip: '203.0.113.1', sender: 'postmaster@example.com' })).result).toBe('fail');
  });

  it('publishes no SPF when it would exceed 10 lookups, and says why', () => {
    const includes = Array.from({ length: 11 }, (_, i) => `"_spf${i}.provider.example"`).join(', ');
    const c = config(relays(['192.0.2.1']), `  spf: { include: [${includes}] }`);
    const { sets, notes } = authRecordSets(c, new Map(), 0);
    expect(sets.filter((s) => s.name === 'example.com')).toEqual([]);
    expect(notes.join(' ')).toMatch(/SPF not published \(none is served; a cloud target keeps the SPF it holds\).*11 DNS lookups, over the limit of 10/);
  });

  it('keeps the SPF published before (apex and chain) when the new one fails', () => {
    const good = config(relays(Array.from({ length: 60 }, (_, i) => `10.${i}.0.1`)), '  spf: {}');
    const before = authRecordSets(good, new Map(), 0).sets;
    expect(before.length).toBeGreaterThan(1);
    const includes = Array.from({ length: 11 }, (_, i) => `"_spf${i}.provider.example"`).join(', ');
    const bad = config(relays(Array.from({ length: 60 }, (_, i) => `10.${i}.0.1`)), `  spf: { include: [${includes}] }\n  dmarc: { p: reject }`);
    const { sets, notes } = authRecordSets(bad, new Map(), 0, [], [...before, { name: 'example.com', type: 'TXT', ttl: 30, values: [{ data: { type: 'TXT', strings: ['google-site-verification=x'] } }], source: 'static' }]);
    expect(sets.filter((s) => s.name !== '_dmarc.example.com')).toEqual(before);
    expect(notes.join(' ')).toMatch(/SPF not published \(the SPF published before stays\)/);
  });

  it('desired() passes the previous zone through: the published SPF survives a bad config change', () => {
    const good = config(relays(['192.0.2.1']), '  spf: {}');
    const before = desired(good, new Map(), { serial: 1, now: 0 });
    const bad = config(relays(['192.0.2.1']), '  spf: { extra: ["ip4:192.0.2.300"] }');
    const after = desired(bad, new Map(), { serial: 2, now: 0, previous: before.sets });
    expect(txt(after.sets, 'example.com')).toEqual(['v=spf1 ip4:192.0.2.1 -all']);
    expect(after.notes.join(' ')).toMatch(/SPF not published \(the SPF published before stays\)/);
  });

  it('publishes no SPF when a configured term breaks the syntax, and names the column', () => {
    const c = config(relays(['192.0.2.1']), '  spf: { extra: ["ip4:192.0.2.300"] }');
    const { sets, notes } = authRecordSets(c, new Map(), 0);
    expect(sets).toEqual([]);
    expect(notes.join(' ')).toMatch(/SPF not published.*example\.com: SPF syntax error at column 26: ip4: "192\.0\.2\.300" is not an IPv4 address/);
  });

  it('publishes nothing for auth sections that are not configured', () => {
    expect(authRecordSets(config(relays(['192.0.2.1']), '  dkim: []'), new Map(), 0).sets).toEqual([]);
  });
});

describe('authRecordSets: DMARC and DKIM', () => {
  it('writes _dmarc with v and p first, and each DKIM selector split at 255', () => {
    const key = `v=DKIM1; k=rsa; p=${'A'.repeat(392)}`;
    const c = config(relays(['192.0.2.1']), `  dmarc: { p: reject, sp: quarantine, pct: 100, rua: ["mailto:d@example.com", "mailto:e@example.com"], adkim: s }\n  dkim: [ { selector: S1, key: "${key}" } ]`);
    const { sets } = authRecordSets(c, new Map(), 0);
    expect(txt(sets, '_dmarc.example.com')).toEqual(['v=DMARC1; p=reject; sp=quarantine; pct=100; adkim=s; rua=mailto:d@example.com,mailto:e@example.com']);
    const dkim = txt(sets, 's1._domainkey.example.com') as string[];
    expect(dkim.map((s) => Buffer.byteLength(s))).toEqual([255, key.length - 255]);
    expect(dkim.join('')).toBe(key);
  });
});
