// desired() with transport security: the MTA-STS, TLS-RPT and TLSA records, the MTA-STS safety
// rule on MX, and DANE onMismatch: withdraw — as tables over config + state + clock.
import { describe, expect, it } from 'vitest';
import { desired } from '../../src/desired.ts';
import type { DesiredZone, RecordSet } from '../../src/model.ts';
import { formatRData } from '../../src/dns/rdata.ts';
import { emptyHostBook, observe, published } from '../../src/auth/dane.ts';
import type { TransportState } from '../../src/auth/transport.ts';
import { mtaStsPolicy } from '../../src/auth/mta-sts.ts';
import { health } from '../desired/fixtures.ts';
import { withoutWithheld } from '../../src/audit/desired-audit.ts';
import { HEX, STS, transportConfig, digests } from './fixtures.ts';

const NOW = Date.UTC(2026, 11, 1, 12);
const TTL = 30_000;
const find = (zone: DesiredZone, name: string, type: string): RecordSet | undefined => zone.sets.find((s) => s.name === name && s.type === type);
const texts = (set: RecordSet | undefined) => (set?.values ?? []).map((v) => formatRData(v.data)).sort();
const mxNames = (zone: DesiredZone) => texts(find(zone, 'example.com', 'MX')).map((t) => t.split(' ')[1]);
const covered = (since: number): Record<string, number> => Object.fromEntries(['mx.example.com', 'mx1.example.com', 'mx2.example.com', 'mx3.example.com'].map((n) => [n, since]));
const DANE = (extra = '') => `  dane:\n    mode: publish\n    onMismatch: withdraw\n${extra}`;

describe('MTA-STS and TLS-RPT records', () => {
  it('publishes mta-sts A/AAAA, the _mta-sts id of the policy text and the TLS-RPT record', () => {
    const cfg = transportConfig(STS);
    const zone = desired(cfg, health(cfg), { serial: 1, now: NOW });
    const policy = mtaStsPolicy(cfg);
    expect(texts(find(zone, '_mta-sts.example.com', 'TXT'))).toEqual([`"v=STSv1; id=${policy?.id}"`]);
    expect(texts(find(zone, 'mta-sts.example.com', 'A'))).toEqual(['192.0.2.80']);
    expect(texts(find(zone, 'mta-sts.example.com', 'AAAA'))).toEqual(['2001:db8::80']);
    expect(texts(find(zone, '_smtp._tls.example.com', 'TXT'))).toEqual(['"v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.net/tlsrpt"']);
    expect(find(zone, '_mta-sts.example.com', 'TXT')?.source).toBe('auth');
    // the policy names hosts, not health: a failed host changes neither policy nor id
    const down = desired(cfg, health(cfg, { 'mx2.example.com': 'unhealthy' }), { serial: 1, now: NOW });
    expect(texts(find(down, '_mta-sts.example.com', 'TXT'))).toEqual(texts(find(zone, '_mta-sts.example.com', 'TXT')));
  });

  it('safety: a host the policy has named for less than one TTL stays out of MX (its A is published)', () => {
    const cfg = transportConfig(STS);
    const state: TransportState = { dane: {}, stsNames: { ...covered(NOW - 3_600_000), 'mx3.example.com': NOW - 10_000 }, ttlMs: TTL };
    const zone = desired(cfg, health(cfg), { serial: 1, now: NOW, transport: state });
    expect(mxNames(zone)).toEqual(['mx1.example.com.', 'mx2.example.com.']);
    expect(texts(find(zone, 'mx3.example.com', 'AAAA'))).toEqual(['2001:db8::13']);
    expect(zone.transport?.heldMx).toEqual({ 'mx3.example.com': NOW + 20_000 });
    expect(zone.transport?.nextChange).toBe(NOW + 20_000);
    expect(zone.notes.some((n) => n.startsWith('MTA-STS: mx3.example.com enters MX at'))).toBe(true);
    // one TTL later it enters
    const later = desired(cfg, health(cfg), { serial: 1, now: NOW + 20_000, transport: state });
    expect(mxNames(later)).toEqual(['mx1.example.com.', 'mx2.example.com.', 'mx3.example.com.']);
    expect(later.transport).toBeUndefined();
  });

  it('the serve audit counts a held host as not healthy, so pool-mx-mismatch is not a false alarm', () => {
    const cfg = transportConfig(STS);
    const state: TransportState = { dane: {}, stsNames: { ...covered(NOW - 3_600_000), 'mx3.example.com': NOW - 10_000 }, ttlMs: TTL };
    const zone = desired(cfg, health(cfg), { serial: 1, now: NOW, transport: state });
    const adjusted = withoutWithheld(health(cfg), zone);
    expect(adjusted.get('mx3.example.com')?.state).toBe('unhealthy');
    expect(adjusted.get('mx1.example.com')?.state).toBe('healthy');
    // when the safety rule had to publish it anyway (the only host), it stays healthy for the audit
    const down = health(cfg, { 'mx1.example.com': 'unhealthy', 'mx2.example.com': 'unhealthy' });
    expect(withoutWithheld(down, desired(cfg, down, { serial: 1, now: NOW, transport: state })).get('mx3.example.com')?.state).toBe('healthy');
  });

  it('safety never empties the MX: when every healthy host is new, they are published', () => {
    const cfg = transportConfig(STS);
    const state: TransportState = { dane: {}, stsNames: {}, ttlMs: TTL };
    const zone = desired(cfg, health(cfg), { serial: 1, now: NOW, transport: state });
    expect(mxNames(zone)).toEqual(['mx1.example.com.', 'mx2.example.com.', 'mx3.example.com.']);
    expect(zone.notes.some((n) => n.includes('in MX although the policy names them for less than one TTL'))).toBe(true);
  });

  it('one-shot commands (no state) hold nothing back', () => {
    const cfg = transportConfig(STS);
    expect(mxNames(desired(cfg, health(cfg), { serial: 1, now: NOW }))).toHaveLength(3);
  });
});

describe('DANE TLSA', () => {
  const seen = (c: string, at = NOW - 1000) => published(observe(emptyHostBook(), `1 1 ${HEX(c)}`, at), [`1 1 ${HEX(c)}`], at - 100_000);

  it('publish mode: _25._tcp.<host> holds the key seen plus the next keys; none before a sighting', () => {
    const cfg = transportConfig(DANE(`    next: { mx2.example.com: ["${HEX('c')}"] }\n`));
    const state: TransportState = { dane: { 'mx1.example.com': seen('a') }, stsNames: {}, ttlMs: TTL };
    const zone = desired(cfg, health(cfg), { serial: 1, now: NOW, transport: state });
    expect(texts(find(zone, '_25._tcp.mx1.example.com', 'TLSA'))).toEqual([`3 1 1 ${HEX('a')}`]);
    expect(texts(find(zone, '_25._tcp.mx2.example.com', 'TLSA'))).toEqual([`3 1 1 ${HEX('c')}`]);
    expect(find(zone, '_25._tcp.mx3.example.com', 'TLSA')).toBeUndefined();
    expect(find(zone, '_25._tcp.relay1.example.com', 'TLSA')).toBeUndefined(); // relays are not MX hosts
    expect(zone.notes).toContain('DANE: no TLSA for mx3.example.com yet: the probe has not seen its certificate');
  });

  it('withdraw: a host with a fresh key leaves MX until the TLSA holding it has been out one TTL', () => {
    const cfg = transportConfig(DANE());
    const rotated = observe(seen('a'), `1 1 ${HEX('b')}`, NOW);
    const state: TransportState = { dane: { 'mx1.example.com': rotated, 'mx2.example.com': seen('c'), 'mx3.example.com': seen('d') }, stsNames: {}, ttlMs: TTL };
    const zone = desired(cfg, health(cfg), { serial: 1, now: NOW, transport: state });
    expect(texts(find(zone, '_25._tcp.mx1.example.com', 'TLSA'))).toEqual([`3 1 1 ${HEX('a')}`, `3 1 1 ${HEX('b')}`]);
    expect(mxNames(zone)).toEqual(['mx2.example.com.', 'mx3.example.com.']);
    expect(zone.transport?.mismatches).toEqual({ 'mx1.example.com': { key: `1 1 ${HEX('b')}`, until: NOW + TTL } });
    // report only: the host stays, the mismatch is still known
    const report = transportConfig(DANE().replace('withdraw', 'report'));
    const kept = desired(report, health(report), { serial: 1, now: NOW, transport: state });
    expect(mxNames(kept)).toHaveLength(3);
    expect(kept.transport?.mismatches['mx1.example.com']).toBeDefined();
  });

  it('withdraw never takes the last healthy host', () => {
    const cfg = transportConfig(DANE());
    const state: TransportState = { dane: { 'mx1.example.com': observe(seen('a'), `1 1 ${HEX('b')}`, NOW) }, stsNames: {}, ttlMs: TTL };
    const zone = desired(cfg, health(cfg, { 'mx2.example.com': 'unhealthy', 'mx3.example.com': 'unhealthy' }), { serial: 1, now: NOW, transport: state });
    expect(mxNames(zone)).toEqual(['mx1.example.com.']);
    expect(zone.notes.some((n) => n.includes('keeps mx1.example.com in MX despite the key mismatch'))).toBe(true);
  });

  it('audit mode: no TLSA of its own; records: TLSA are served and compared with the presented key', () => {
    const cfg = transportConfig(DANE().replace('mode: publish', 'mode: audit'), `  - { name: _25._tcp.mx1.example.com, type: TLSA, value: "3 1 1 ${HEX('b')}" }\n  - { name: _25._tcp.mx2.example.com, type: TLSA, value: "3 1 1 ${HEX('c')}" }\n`);
    const state: TransportState = { dane: {}, presented: new Map([['mx1.example.com', digests('a')], ['mx2.example.com', digests('c')]]), stsNames: {}, ttlMs: TTL };
    const zone = desired(cfg, health(cfg), { serial: 1, now: NOW, transport: state });
    expect(find(zone, '_25._tcp.mx1.example.com', 'TLSA')?.source).toBe('static');
    expect(zone.transport?.mismatches).toEqual({ 'mx1.example.com': { key: `1 1 ${HEX('a')}` } });
    expect(mxNames(zone)).toEqual(['mx2.example.com.', 'mx3.example.com.']);
  });
});
