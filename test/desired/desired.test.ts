import { describe, expect, it } from 'vitest';
import { desired, allHealthy, nextSerial } from '../../src/desired.ts';
import type { DesiredZone, RecordSet } from '../../src/model.ts';
import { formatRData } from '../../src/dns/rdata.ts';
import { BASE_YAML, config, health } from './fixtures.ts';

const NOW = Date.UTC(2026, 10, 30, 12);
const find = (zone: DesiredZone, name: string, type: string): RecordSet | undefined => zone.sets.find((s) => s.name === name && s.type === type);
const texts = (set: RecordSet | undefined) => (set?.values ?? []).map((v) => formatRData(v.data)).sort();

describe('desired', () => {
  it('publishes SOA, NS, host, pool, MX, auth and static records when every host is healthy', () => {
    const cfg = config();
    const zone = desired(cfg, allHealthy(cfg, NOW), { serial: 2026113000, now: NOW });
    expect(zone.sets[0]).toMatchObject({ name: 'example.com', type: 'SOA', source: 'zone' });
    expect(texts(find(zone, 'example.com', 'SOA'))).toEqual(['ns1.example.com. hostmaster.example.com. 2026113000 3600 600 604800 60']);
    expect(texts(find(zone, 'example.com', 'NS'))).toEqual(['ns1.example.com.', 'ns2.example.net.']);
    expect(texts(find(zone, 'mx1.example.com', 'A'))).toEqual(['192.0.2.11']);
    expect(texts(find(zone, 'mx3.example.com', 'AAAA'))).toEqual(['2001:db8::13']);
    expect(texts(find(zone, 'mx.example.com', 'A'))).toEqual(['192.0.2.11', '192.0.2.12']);
    expect(texts(find(zone, 'mx.example.com', 'AAAA'))).toEqual(['2001:db8::13']);
    const mx = find(zone, 'example.com', 'MX');
    expect(mx?.values.map((v) => [formatRData(v.data), v.weight, v.host])).toEqual([
      ['10 mx1.example.com.', 3, 'mx1.example.com'],
      ['10 mx2.example.com.', 1, 'mx2.example.com'],
      ['10 mx3.example.com.', 1, 'mx3.example.com'],
    ]);
    // the weight-0 backup relay stays out while weighted relays are up
    expect(texts(find(zone, 'smtp.example.com', 'A'))).toEqual(['192.0.2.21', '192.0.2.22']);
    expect(find(zone, 'backup.example.com', 'A')).toBeUndefined();
    // SPF (auth) and the static site-verification TXT share the apex TXT set
    const apexTxt = texts(find(zone, 'example.com', 'TXT'));
    expect(apexTxt.some((t) => t.startsWith('"v=spf1'))).toBe(true);
    expect(apexTxt).toContain('"google-site-verification=abc"');
    expect(find(zone, '_dmarc.example.com', 'TXT')?.source).toBe('auth');
    expect(texts(find(zone, '_sip._tcp.example.com', 'SRV'))).toEqual(['10 5 5060 sip.example.com.']);
    expect(texts(find(zone, 'www.example.com', 'CNAME'))).toEqual(['example.net.']);
    expect(texts(find(zone, 'example.com', 'CAA'))).toEqual(['0 issue "letsencrypt.org"']);
    expect(zone.published).toEqual({ inbound: ['mx1.example.com', 'mx2.example.com', 'mx3.example.com'], outbound: ['relay1.example.com', 'relay2.example.com'] });
    expect(zone.notes).toEqual([]);
  });

  it.each([
    ['unhealthy'],
    ['draining'],
    ['disabled'],
  ] as const)('a %s host leaves the host, pool and MX records', (state) => {
    const cfg = config();
    const zone = desired(cfg, health(cfg, { 'mx2.example.com': state }), { serial: 1, now: NOW });
    expect(find(zone, 'mx2.example.com', 'A')).toBeUndefined();
    expect(texts(find(zone, 'mx.example.com', 'A'))).toEqual(['192.0.2.11']);
    expect(texts(find(zone, 'example.com', 'MX'))).toEqual(['10 mx1.example.com.', '10 mx3.example.com.']);
  });

  it('whenAllDown: all publishes every enabled host when none is healthy, and says so', () => {
    const cfg = config();
    const zone = desired(cfg, health(cfg, { 'mx1.example.com': 'unhealthy', 'mx2.example.com': 'unhealthy', 'mx3.example.com': 'disabled' }), { serial: 1, now: NOW });
    expect(texts(find(zone, 'example.com', 'MX'))).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    expect(texts(find(zone, 'mx1.example.com', 'A'))).toEqual(['192.0.2.11']);
    expect(zone.notes.join('\n')).toMatch(/pool inbound: 0 of 3 hosts healthy .*whenAllDown: all/);
  });

  it('minHealthy: fewer healthy hosts than the minimum triggers the fallback', () => {
    const cfg = config(BASE_YAML.replace('    hostname: mx.example.com\n', '    hostname: mx.example.com\n    minHealthy: 2\n'));
    const zone = desired(cfg, health(cfg, { 'mx1.example.com': 'unhealthy', 'mx2.example.com': 'unhealthy' }), { serial: 1, now: NOW });
    expect(texts(find(zone, 'example.com', 'MX'))).toHaveLength(3);
    const ok = desired(cfg, health(cfg, { 'mx1.example.com': 'unhealthy' }), { serial: 1, now: NOW });
    expect(texts(find(ok, 'example.com', 'MX'))).toEqual(['10 mx2.example.com.', '10 mx3.example.com.']);
  });

  it('whenAllDown: last-known-good republishes the last published set', () => {
    const cfg = config(BASE_YAML.replace('    hostname: mx.example.com\n', '    hostname: mx.example.com\n    whenAllDown: last-known-good\n'));
    const down = health(cfg, { 'mx1.example.com': 'unhealthy', 'mx2.example.com': 'unhealthy', 'mx3.example.com': 'unhealthy' });
    const zone = desired(cfg, down, { serial: 1, now: NOW, lastKnownGood: { inbound: ['mx2.example.com'] } });
    expect(texts(find(zone, 'example.com', 'MX'))).toEqual(['10 mx2.example.com.']);
    expect(zone.published?.inbound).toEqual(['mx2.example.com']);
    expect(zone.notes.join('\n')).toMatch(/last known good set \(mx2.example.com\)/);
    // without history it falls back to every enabled host
    const fresh = desired(cfg, down, { serial: 1, now: NOW });
    expect(texts(find(fresh, 'example.com', 'MX'))).toHaveLength(3);
  });

  it('whenAllDown: none publishes nothing for that pool and notes it', () => {
    const cfg = config(BASE_YAML.replace('    hostname: smtp.example.com\n', '    hostname: smtp.example.com\n    whenAllDown: none\n'));
    const zone = desired(cfg, health(cfg, { 'relay1.example.com': 'unhealthy', 'relay2.example.com': 'unhealthy', 'backup.example.com': 'unhealthy' }), { serial: 1, now: NOW });
    expect(find(zone, 'smtp.example.com', 'A')).toBeUndefined();
    expect(zone.published?.outbound).toEqual([]);
    expect(zone.notes.join('\n')).toMatch(/pool outbound: .*publishing nothing .*whenAllDown: none/);
  });

  it('a weight-0 backup is published when no weighted host is healthy', () => {
    const cfg = config();
    const zone = desired(cfg, health(cfg, { 'relay1.example.com': 'unhealthy', 'relay2.example.com': 'draining' }), { serial: 1, now: NOW });
    expect(texts(find(zone, 'smtp.example.com', 'A'))).toEqual(['192.0.2.23']);
    expect(find(zone, 'smtp.example.com', 'A')?.values[0]?.weight).toBe(0);
  });

  it('two inbound pools at one MX name merge into one MX set', () => {
    const yaml = BASE_YAML.replace('  - name: outbound\n    role: outbound\n    hostname: smtp.example.com\n', '  - name: backupmx\n    role: inbound\n    mx: { name: example.com, preference: 20 }\n    hostname: smtp.example.com\n');
    const cfg = config(yaml);
    const zone = desired(cfg, allHealthy(cfg, NOW), { serial: 1, now: NOW });
    const mx = find(zone, 'example.com', 'MX');
    expect(texts(mx)).toEqual(['10 mx1.example.com.', '10 mx2.example.com.', '10 mx3.example.com.', '20 relay1.example.com.', '20 relay2.example.com.']);
    expect(mx?.pool).toBeUndefined();
  });

  it('static records never override managed ones; conflicts and bad values become notes', () => {
    // the schema already rejects some of these; desired() must still cope when handed them directly
    const base = config();
    const extra = [
      { name: 'mx.example.com', type: 'A' as const, value: '203.0.113.1' },
      { name: 'example.com', type: 'TXT' as const, value: 'v=spf1 +all' },
      { name: 'mx1.example.com', type: 'CNAME' as const, value: 'other.example.net.' },
      { name: 'bad.example.com', type: 'MX' as const, value: 'ten mx' },
      { name: 'multi.example.com', type: 'A' as const, value: '192.0.2.1' },
      { name: 'multi.example.com', type: 'A' as const, value: '192.0.2.2' },
    ];
    const cfg = { ...base, records: [...base.records, ...extra] };
    const zone = desired(cfg, allHealthy(cfg, NOW), { serial: 1, now: NOW });
    expect(texts(find(zone, 'mx.example.com', 'A'))).toEqual(['192.0.2.11', '192.0.2.12']);
    expect(texts(find(zone, 'example.com', 'TXT')).filter((t) => t.startsWith('"v=spf1'))).toHaveLength(1);
    expect(find(zone, 'mx1.example.com', 'CNAME')).toBeUndefined();
    expect(find(zone, 'bad.example.com', 'MX')).toBeUndefined();
    expect(texts(find(zone, 'multi.example.com', 'A'))).toEqual(['192.0.2.1', '192.0.2.2']);
    const notes = zone.notes.join('\n');
    expect(notes).toMatch(/mx.example.com A ignored: mxpool manages/);
    expect(notes).toMatch(/second SPF TXT at example.com ignored/);
    expect(notes).toMatch(/CNAME at mx1.example.com ignored/);
    expect(notes).toMatch(/records.\d+: bad.example.com MX ignored: MX value "ten mx"/);
  });

  it('notes an in-zone NS without an address (no glue)', () => {
    const cfg = config(BASE_YAML.replace('  - { name: ns1.example.com, type: A, value: 192.0.2.53 }\n', ''));
    const zone = desired(cfg, allHealthy(cfg, NOW), { serial: 1, now: NOW });
    expect(zone.notes).toContain('NS ns1.example.com is inside the zone but has no A/AAAA record: add one under records: (glue)');
  });

  it('is pure: same input, same output; the serial is the one given', () => {
    const cfg = config();
    const a = desired(cfg, allHealthy(cfg, NOW), { serial: 7, now: NOW });
    const b = desired(cfg, allHealthy(cfg, NOW), { serial: 7, now: NOW });
    expect(a).toEqual(b);
    expect(a.serial).toBe(7);
  });
});

describe('allHealthy', () => {
  it('marks every host healthy except disabled ones', () => {
    const cfg = config(BASE_YAML.replace('address: 192.0.2.12, weight: 1 }', 'address: 192.0.2.12, weight: 1, disabled: true }'));
    const snapshot = allHealthy(cfg, NOW);
    expect(snapshot.get('mx1.example.com')?.state).toBe('healthy');
    expect(snapshot.get('mx2.example.com')?.state).toBe('disabled');
    expect(snapshot.size).toBe(6);
  });
});

describe('nextSerial', () => {
  it.each([
    [0, '2026-11-30T10:00:00Z', 2026113000],
    [2026112999, '2026-11-30T10:00:00Z', 2026113000],
    [2026113000, '2026-11-30T10:00:00Z', 2026113001],
    [2026113099, '2026-11-30T23:00:00Z', 2026113100],
    [2030010100, '2026-11-30T10:00:00Z', 2030010101],
  ])('after %i at %s is %i', (previous, at, expected) => {
    expect(nextSerial(previous, new Date(at))).toBe(expected);
  });
  it('refuses to wrap past 32 bits', () => {
    expect(() => nextSerial(0xffffffff, new Date())).toThrow(/cannot grow/);
  });
});
