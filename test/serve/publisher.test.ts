import { describe, it, expect, vi, afterEach } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import type { DesiredZone, HealthSnapshot, HostHealth, HealthState } from '../../src/model.ts';
import { ZonePublisher } from '../../src/daemon/publisher.ts';

const config = parseConfig(`
zone: example.com
ttl: 30
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hostname: mx.example.com
    whenAllDown: last-known-good
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
      - { name: mx2.example.com, address: 192.0.2.2 }
  - name: relays
    role: outbound
    hostname: smtp.example.com
    hosts:
      - { name: relay1.example.com, address: 192.0.2.11 }
      - { name: relay2.example.com, address: 192.0.2.12 }
auth: { spf: { all: "-all" } }
nameserver: { ns: [ns1.example.com], soa: { mname: ns1.example.com, rname: hostmaster.example.com } }
records: [ { name: ns1.example.com, type: A, value: 192.0.2.53 } ]
`);

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

function snapshot(states: Record<string, HealthState>, extra: Partial<Record<string, Partial<HostHealth>>> = {}): HealthSnapshot {
  const map = new Map<string, HostHealth>();
  for (const pool of config.pools) {
    for (const host of pool.hosts) map.set(host.name, { host: host.name, pool: pool.name, state: states[host.name] ?? 'healthy', since: 0, ...extra[host.name] });
  }
  return map;
}

function mxOf(zone: DesiredZone): string[] {
  return zone.sets.filter((s) => s.type === 'MX').flatMap((s) => s.values.map((v) => (v.data.type === 'MX' ? v.data.exchange : ''))).sort();
}

function spfOf(zone: DesiredZone): string {
  const set = zone.sets.find((s) => s.type === 'TXT' && s.name === 'example.com');
  return set?.values.map((v) => (v.data.type === 'TXT' ? v.data.strings.join('') : '')).find((t) => t.startsWith('v=spf1')) ?? '';
}

afterEach(() => vi.useRealTimers());

describe('ZonePublisher', () => {
  it('coalesces a burst of requests into one zone with one new serial', () => {
    vi.useFakeTimers({ now: NOW });
    let health = snapshot({});
    const published: DesiredZone[] = [];
    const publisher = new ZonePublisher({ config, logger: silentLogger, now: () => Date.now(), health: () => health, previousSerial: 0, lastKnownGood: {}, targets: [(z) => published.push(z)] });
    const first = publisher.publishNow('start');
    expect(first.serial).toBe(2026120100);
    health = snapshot({ 'mx1.example.com': 'unhealthy' });
    publisher.request('a');
    health = snapshot({ 'mx1.example.com': 'unhealthy', 'relay1.example.com': 'unhealthy' });
    publisher.request('b');
    publisher.request('c');
    expect(published).toHaveLength(1);
    vi.advanceTimersByTime(50);
    expect(published).toHaveLength(2);
    expect(published[1]!.serial).toBe(2026120101);
    expect(mxOf(published[1]!)).toEqual(['mx2.example.com']);
  });

  it('keeps the serial when the records did not change (no needless NOTIFY)', () => {
    vi.useFakeTimers({ now: NOW });
    let health = snapshot({});
    const published: DesiredZone[] = [];
    const publisher = new ZonePublisher({ config, logger: silentLogger, now: () => Date.now(), health: () => health, previousSerial: 2026120105, lastKnownGood: {}, targets: [(z) => published.push(z)] });
    const first = publisher.publishNow();
    expect(first.serial).toBe(2026120106); // continues from the saved serial
    // relay1 unhealthy: leaves smtp.example.com but stays in SPF -> a change
    health = snapshot({ 'relay1.example.com': 'unhealthy' });
    expect(publisher.publishNow().serial).toBe(2026120107);
    // same health again: nothing to publish
    expect(publisher.publishNow().serial).toBe(2026120107);
    expect(published.map((z) => z.serial)).toEqual([2026120106, 2026120107]);
  });

  it('a new serial for any change a record set carries: a weight, a TTL, an SOA field other than the serial', () => {
    vi.useFakeTimers({ now: NOW });
    let current = config;
    const published: DesiredZone[] = [];
    const publisher = new ZonePublisher({ config, logger: silentLogger, now: () => Date.now(), health: () => snapshot({}), previousSerial: 0, lastKnownGood: {}, targets: [(z) => published.push(z)] });
    publisher.publishNow();
    const edit = (change: (yaml: typeof config) => typeof config) => {
      current = change(current);
      publisher.reconfigure(current, []);
      return publisher.publishNow().serial;
    };
    const weight = edit((c) => ({ ...c, pools: c.pools.map((p) => (p.name === 'inbound' ? { ...p, hosts: p.hosts.map((h, i) => (i === 0 ? { ...h, weight: 5 } : h)) } : p)) }));
    expect(weight).toBe(2026120101);
    expect(edit((c) => ({ ...c, ttl: 31 }))).toBe(2026120102);
    const soa = edit((c) => ({ ...c, nameserver: { ...(c.nameserver as NonNullable<typeof c.nameserver>), soa: { ...(c.nameserver as NonNullable<typeof c.nameserver>).soa, refresh: 7201 } } }));
    expect(soa).toBe(2026120103);
    expect(edit((c) => c)).toBe(2026120103); // nothing changed: the serial stays
    expect(published.map((z) => z.serial)).toEqual([2026120100, 2026120101, 2026120102, 2026120103]);
  });

  it('remembers the last known good set only from healthy hosts, and serves it when all are down', () => {
    vi.useFakeTimers({ now: NOW });
    let health = snapshot({ 'mx2.example.com': 'unhealthy' });
    const publisher = new ZonePublisher({ config, logger: silentLogger, now: () => Date.now(), health: () => health, previousSerial: 0, lastKnownGood: {}, targets: [] });
    publisher.publishNow();
    expect(publisher.lastKnownGood.inbound).toEqual(['mx1.example.com']);
    health = snapshot({ 'mx1.example.com': 'unhealthy', 'mx2.example.com': 'unhealthy' });
    const zone = publisher.publishNow();
    expect(mxOf(zone)).toEqual(['mx1.example.com']);
    expect(publisher.lastKnownGood.inbound).toEqual(['mx1.example.com']); // the fallback is not "good"
  });

  it('a target that throws does not keep the others from the zone', () => {
    vi.useFakeTimers({ now: NOW });
    const got: number[] = [];
    const publisher = new ZonePublisher({
      config, logger: silentLogger, now: () => Date.now(), health: () => snapshot({}), previousSerial: 0, lastKnownGood: {},
      targets: [() => { throw new Error('boom'); }, (z) => got.push(z.serial)],
    });
    publisher.publishNow();
    expect(got).toEqual([2026120100]);
  });

  it('republishes when a disabled relay\'s SPF grace period (2 x TTL) ends', () => {
    vi.useFakeTimers({ now: NOW });
    const health = snapshot({ 'relay2.example.com': 'disabled' }, { 'relay2.example.com': { withdrawnAt: NOW, since: NOW } });
    const published: DesiredZone[] = [];
    const publisher = new ZonePublisher({ config, logger: silentLogger, now: () => Date.now(), health: () => health, previousSerial: 0, lastKnownGood: {}, targets: [(z) => published.push(z)] });
    publisher.publishNow();
    expect(spfOf(published[0]!)).toContain('192.0.2.12');
    vi.advanceTimersByTime(59_000);
    expect(published).toHaveLength(1);
    vi.advanceTimersByTime(2_000);
    expect(published).toHaveLength(2);
    expect(spfOf(published[1]!)).not.toContain('192.0.2.12');
    expect(spfOf(published[1]!)).toContain('192.0.2.11');
    publisher.stop();
  });
});
