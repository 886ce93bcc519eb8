// SPF grace for relays gone from the config, and the last SPF carried over a restart: the pure parts
// (src/daemon/retired.ts, src/daemon/saved-spf.ts) and the publisher with a fake clock.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import type { DesiredZone, HealthSnapshot, HostHealth } from '../../src/model.ts';
import { ZonePublisher } from '../../src/daemon/publisher.ts';
import { announceRetired, configAddresses, retiredAtStart } from '../../src/daemon/retired.ts';
import { spfFromSaved, spfToSave } from '../../src/daemon/saved-spf.ts';
import type { SavedAddress, SavedState } from '../../src/state/file.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const GRACE = 60_000; // ttl 30 -> 2 x 30 s

function configWith(relays: Array<[string, string]>, spf = 'auth: { spf: { all: "-all" } }') {
  return parseConfig(`
zone: example.com
ttl: 30
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
  - name: relays
    role: outbound
    hostname: smtp.example.com
    hosts:
${relays.map(([name, address]) => `      - { name: ${name}, address: "${address}" }`).join('\n')}
${spf}
nameserver: { ns: [ns1.example.com], soa: { mname: ns1.example.com, rname: hostmaster.example.com } }
records: [ { name: ns1.example.com, type: A, value: 192.0.2.53 } ]
`);
}

const before = configWith([['relay1.example.com', '192.0.2.11'], ['relay2.example.com', '192.0.2.12']]);

function savedFrom(config: ReturnType<typeof configWith>, hosts: HostHealth[] = [], retired: SavedState['retired'] = []): Pick<SavedState, 'addresses' | 'retired' | 'hosts'> {
  const all = hosts.length > 0 ? hosts : configAddresses(config).map((a) => ({ host: a.host, pool: a.pool, state: 'healthy' as const, since: 0 }));
  return { addresses: configAddresses(config), retired, hosts: all };
}

function healthOf(config: ReturnType<typeof configWith>, extra: Record<string, Partial<HostHealth>> = {}): HealthSnapshot {
  return new Map(config.pools.flatMap((pool) => pool.hosts.map((host) => [host.name, { host: host.name, pool: pool.name, state: 'healthy' as const, since: 0, ...extra[host.name] }] as const)));
}

function spfOf(zone: DesiredZone): string {
  const set = zone.sets.find((s) => s.type === 'TXT' && s.name === 'example.com');
  return set?.values.map((v) => (v.data.type === 'TXT' ? v.data.strings.join('') : '')).find((t) => t.startsWith('v=spf1')) ?? '';
}

describe('retiredAtStart', () => {
  it('retires the address of a relay removed from the config for 2 x TTL from now', () => {
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    const { retired, found } = retiredAtStart(after, savedFrom(before), NOW);
    expect(retired).toEqual([{ address: '192.0.2.12', until: NOW + GRACE, host: 'relay2.example.com' }]);
    expect(found.map((f) => f.holder)).toEqual(['removed host relay2.example.com']);
  });

  it('retires the old address of a relay whose address changed', () => {
    const after = configWith([['relay1.example.com', '192.0.2.11'], ['relay2.example.com', '192.0.2.99']]);
    const { retired, found } = retiredAtStart(after, savedFrom(before), NOW);
    expect(retired).toEqual([{ address: '192.0.2.12', until: NOW + GRACE, host: 'relay2.example.com' }]);
    expect(found[0]!.holder).toBe('host relay2.example.com (now 192.0.2.99)');
  });

  it('retires nothing when the config still holds every address (IPv6 spelled differently too)', () => {
    const v6before = configWith([['relay1.example.com', '2001:db8:0:0::11']]);
    const v6after = configWith([['relay9.example.com', '2001:DB8::11']]);
    expect(retiredAtStart(v6after, savedFrom(v6before), NOW).retired).toEqual([]);
    expect(retiredAtStart(before, savedFrom(before), NOW).retired).toEqual([]);
  });

  it('ignores inbound-only addresses, which were never in SPF', () => {
    const noInbound = parseConfig(`
zone: example.com
pools:
  - { name: relays, role: outbound, hosts: [ { name: relay1.example.com, address: 192.0.2.11 }, { name: relay2.example.com, address: 192.0.2.12 } ] }
auth: { spf: {} }
`);
    const { retired } = retiredAtStart(noInbound, savedFrom(before), NOW);
    expect(retired).toEqual([]); // mx1 (192.0.2.1) left, but it was inbound
  });

  it('a removed relay that was disabled keeps only what was left of its own grace', () => {
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    const hosts: HostHealth[] = [
      { host: 'relay1.example.com', pool: 'relays', state: 'healthy', since: 0 },
      { host: 'relay2.example.com', pool: 'relays', state: 'disabled', since: NOW - 20_000, withdrawnAt: NOW - 20_000 },
    ];
    expect(retiredAtStart(after, savedFrom(before, hosts), NOW).retired).toEqual([{ address: '192.0.2.12', until: NOW + 40_000, host: 'relay2.example.com' }]);
    // disabled long ago: already out of SPF, nothing to retire
    hosts[1] = { ...hosts[1]!, withdrawnAt: NOW - 120_000 };
    expect(retiredAtStart(after, savedFrom(before, hosts), NOW).retired).toEqual([]);
  });

  it('carries saved retirements still in their grace, drops ended ones and ones the config holds again', () => {
    const after = configWith([['relay1.example.com', '192.0.2.11'], ['relay2.example.com', '192.0.2.12']]);
    const saved = savedFrom(after, [], [
      { address: '192.0.2.77', until: NOW + 5_000, host: 'relay7.example.com' },
      { address: '192.0.2.78', until: NOW - 1, host: 'relay8.example.com' },
      { address: '192.0.2.12', until: NOW + 5_000, host: 'old.example.com' },
    ]);
    const { retired, found } = retiredAtStart(after, saved, NOW);
    expect(retired).toEqual([{ address: '192.0.2.77', until: NOW + 5_000, host: 'relay7.example.com' }]);
    expect(found).toEqual([]);
  });

  it('a relay removed again while its address was already retired gets the longer grace', () => {
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    const saved = savedFrom(before, [], [{ address: '192.0.2.12', until: NOW + 5_000 }]);
    expect(retiredAtStart(after, saved, NOW).retired).toEqual([{ address: '192.0.2.12', until: NOW + GRACE, host: 'relay2.example.com' }]);
  });

  it('no state file, or one from before addresses were saved: nothing is retired', () => {
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    expect(retiredAtStart(after, undefined, NOW).retired).toEqual([]);
    expect(retiredAtStart(after, { addresses: [] as SavedAddress[], retired: [], hosts: [] }, NOW).retired).toEqual([]);
  });

  it('logs each retired address once, with the end of its grace', () => {
    const lines: Array<{ msg: string }> = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    const saved = savedFrom(before, [], [{ address: '192.0.2.77', until: NOW + 5_000, host: 'relay7.example.com' }]);
    const { retired, found } = retiredAtStart(after, saved, NOW);
    announceRetired(logger, retired, found);
    expect(lines.map((l) => l.msg)).toEqual([
      `address 192.0.2.12 of removed host relay2.example.com stays in SPF until ${new Date(NOW + GRACE).toISOString()}`,
      `address 192.0.2.77 of removed host relay7.example.com stays in SPF until ${new Date(NOW + 5_000).toISOString()} (grace period from an earlier start)`,
    ]);
  });
});

describe('saved SPF', () => {
  it('keeps the apex SPF value and the _spfN chain, nothing else', () => {
    const many = configWith(Array.from({ length: 40 }, (_, i) => [`relay${i}.example.com`, `2001:db8:${i}::${i + 1}`] as [string, string]), 'auth: { spf: {}, dmarc: { p: none } }');
    const zone = new ZonePublisher({ config: many, logger: silentLogger, now: () => NOW, health: () => healthOf(many), previousSerial: 0, lastKnownGood: {}, targets: [] }).publishNow();
    const saved = spfToSave('example.com', zone.sets);
    expect(saved.map((s) => s.name)).toEqual(expect.arrayContaining(['example.com', '_spf1.example.com']));
    expect(saved.some((s) => s.name.startsWith('_dmarc'))).toBe(false);
    const back = spfFromSaved('example.com', saved);
    expect(back).toEqual(zone.sets.filter((s) => s.type === 'TXT' && s.name !== '_dmarc.example.com'));
  });

  it('drops saved sets that are not the zone\'s SPF (a hand-edited file)', () => {
    const sets = spfFromSaved('example.com', [
      { name: 'www.example.com', ttl: 30, values: [['v=spf1 +all']] },
      { name: 'example.com', ttl: 30, values: [['hello'], ['v=spf1 ip4:192.0.2.11 -all']] },
    ]);
    expect(sets).toEqual([{ name: 'example.com', type: 'TXT', ttl: 30, values: [{ data: { type: 'TXT', strings: ['v=spf1 ip4:192.0.2.11 -all'] } }], source: 'auth' }]);
  });
});

afterEach(() => vi.useRealTimers());

describe('ZonePublisher with retired addresses and a carried-over SPF', () => {
  it('keeps a retired address in SPF until its grace ends, then republishes without it', () => {
    vi.useFakeTimers({ now: NOW });
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    const published: DesiredZone[] = [];
    const publisher = new ZonePublisher({
      config: after, logger: silentLogger, now: () => Date.now(), health: () => healthOf(after), previousSerial: 0, lastKnownGood: {},
      retired: [{ address: '192.0.2.12', until: NOW + GRACE, host: 'relay2.example.com' }],
      targets: [(z) => published.push(z)],
    });
    publisher.publishNow('start');
    expect(spfOf(published[0]!)).toBe('v=spf1 ip4:192.0.2.11 ip4:192.0.2.12 -all');
    expect(publisher.retired).toHaveLength(1);
    vi.advanceTimersByTime(GRACE - 1_000);
    expect(published).toHaveLength(1);
    vi.advanceTimersByTime(2_000);
    expect(published).toHaveLength(2);
    expect(spfOf(published[1]!)).toBe('v=spf1 ip4:192.0.2.11 -all');
    expect(publisher.retired).toEqual([]); // what the state file gets: the ended entry is gone
    publisher.stop();
  });

  it('stop() clears the grace timer (no publish after shutdown)', () => {
    vi.useFakeTimers({ now: NOW });
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    const published: DesiredZone[] = [];
    const publisher = new ZonePublisher({
      config: after, logger: silentLogger, now: () => Date.now(), health: () => healthOf(after), previousSerial: 0, lastKnownGood: {},
      retired: [{ address: '192.0.2.12', until: NOW + GRACE }], targets: [(z) => published.push(z)],
    });
    publisher.publishNow();
    publisher.stop();
    vi.advanceTimersByTime(GRACE * 2);
    expect(published).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('after a restart, a config whose SPF fails its checks keeps the SPF saved before, and says why', () => {
    vi.useFakeTimers({ now: NOW });
    const good = new ZonePublisher({ config: before, logger: silentLogger, now: () => Date.now(), health: () => healthOf(before), previousSerial: 0, lastKnownGood: {}, targets: [] });
    const saved = spfToSave('example.com', good.publishNow().sets);
    const includes = Array.from({ length: 11 }, (_, i) => `spf${i}.mailer.example.net`).join(', ');
    const broken = configWith([['relay1.example.com', '192.0.2.11']], `auth: { spf: { include: [${includes}] } }`);

    const fresh = new ZonePublisher({ config: broken, logger: silentLogger, now: () => Date.now(), health: () => healthOf(broken), previousSerial: 1, lastKnownGood: {}, targets: [] }).publishNow();
    expect(spfOf(fresh)).toBe(''); // nothing to fall back on: no SPF at all
    expect(fresh.notes.join('\n')).toMatch(/SPF not published \(none is served; a cloud target keeps the SPF it holds\).*over the limit of 10/);

    const restarted = new ZonePublisher({ config: broken, logger: silentLogger, now: () => Date.now(), health: () => healthOf(broken), previousSerial: 1, lastKnownGood: {}, previousSpf: spfFromSaved('example.com', saved), targets: [] });
    expect(spfToSave('example.com', restarted.spf)).toEqual(saved); // before the first publish: the carried one
    const zone = restarted.publishNow();
    expect(spfOf(zone)).toBe('v=spf1 ip4:192.0.2.11 ip4:192.0.2.12 -all');
    expect(zone.notes.join('\n')).toMatch(/SPF not published \(the SPF published before stays\).*over the limit of 10/);
    expect(spfToSave('example.com', restarted.spf)).toEqual(saved); // and it is what the state file keeps
  });

  it('a good new SPF replaces the carried-over one', () => {
    vi.useFakeTimers({ now: NOW });
    const after = configWith([['relay1.example.com', '192.0.2.11']]);
    const carried = spfFromSaved('example.com', [{ name: 'example.com', ttl: 30, values: [['v=spf1 ip4:192.0.2.200 -all']] }]);
    const zone = new ZonePublisher({ config: after, logger: silentLogger, now: () => Date.now(), health: () => healthOf(after), previousSerial: 0, lastKnownGood: {}, previousSpf: carried, targets: [] }).publishNow();
    expect(spfOf(zone)).toBe('v=spf1 ip4:192.0.2.11 -all');
  });
});
