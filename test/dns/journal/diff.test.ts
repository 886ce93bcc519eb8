// The journal as pure values: the difference of two zone versions, condensing a chain of them, and
// the bounds (versions, octets) with what falls out. Seeded random health histories check the one
// property that matters: old version + difference = new version, for every pair the journal keeps.
import { describe, expect, it } from 'vitest';
import { desired } from '../../../src/desired.ts';
import type { DesiredZone, HealthState } from '../../../src/model.ts';
import { composeDiffs, diffVersions, recordKey, versionOf, type ZoneVersion } from '../../../src/dns/journal/diff.ts';
import { ZoneJournal } from '../../../src/dns/journal/journal.ts';
import { seededRandom } from '../../../src/dns/rotation.ts';
import { dnsConfig } from '../helpers.ts';
import { health } from '../../desired/fixtures.ts';
import { journalLine } from './wire.ts';

const cfg = dnsConfig('127.16.0.1:0');
const HOSTS = cfg.pools.flatMap((p) => p.hosts.map((h) => h.name));
const zoneAt = (serial: number, states: Record<string, HealthState> = {}): DesiredZone => desired(cfg, health(cfg, states), { serial, now: 0 });
const keys = (version: ZoneVersion) => [...version.records.keys()].sort();

function apply(version: ZoneVersion, diff: ReturnType<typeof diffVersions>): string[] {
  const held = new Set(version.records.keys());
  for (const r of diff.deleted) expect(held.delete(recordKey(r)), `deletes ${recordKey(r)}`).toBe(true);
  for (const r of diff.added) {
    expect(held.has(recordKey(r)), `adds ${recordKey(r)} twice`).toBe(false);
    held.add(recordKey(r));
  }
  return [...held].sort();
}

describe('the difference of two zone versions', () => {
  it('one inbound host down: its MX, its share of the pool name and its own A go; nothing else moves', () => {
    const diff = diffVersions(versionOf(zoneAt(1)), versionOf(zoneAt(2, { 'mx1.example.com': 'unhealthy' })));
    expect(diff).toMatchObject({ from: 1, to: 2, fromSoa: { data: { serial: 1 } }, toSoa: { data: { serial: 2 } } });
    expect(diff.deleted.map(journalLine).sort()).toEqual(['example.com 30 MX mx1.example.com', 'mx.example.com 30 A 192.0.2.11', 'mx1.example.com 30 A 192.0.2.11']);
    expect(diff.added).toEqual([]);
  });

  it('a version against itself, but for the serial, is an empty difference', () => {
    const diff = diffVersions(versionOf(zoneAt(1)), versionOf(zoneAt(2)));
    expect([diff.deleted, diff.added]).toEqual([[], []]);
  });

  it('a TTL change deletes the record with the old TTL and adds it with the new one', () => {
    const before = zoneAt(1);
    const after = { ...zoneAt(2), sets: zoneAt(2).sets.map((s) => (s.name === 'www.example.com' ? { ...s, ttl: 60 } : s)) };
    const diff = diffVersions(versionOf(before), versionOf(after));
    expect(diff.deleted.map(journalLine)).toEqual(['www.example.com 3600 CNAME example.net']);
    expect(diff.added.map(journalLine)).toEqual(['www.example.com 60 CNAME example.net']);
  });

  it('a relay down changes SPF: the old TXT goes, the new one comes', () => {
    const diff = diffVersions(versionOf(zoneAt(1)), versionOf(zoneAt(2, { 'relay2.example.com': 'unhealthy' })));
    expect(diff.deleted.map(journalLine)).toContain('smtp.example.com 30 A 192.0.2.22');
    expect(diff.deleted.some((r) => r.type === 'TXT') || diff.added.some((r) => r.type === 'TXT')).toBe(false); // SPF keeps a down relay (it may still send)
  });

  it('random health histories: every difference and every condensed chain turns the old version into the new one', () => {
    const random = seededRandom(1616);
    const states: HealthState[] = ['healthy', 'unhealthy', 'draining', 'disabled'];
    const versions: ZoneVersion[] = [];
    for (let serial = 1; serial <= 60; serial++) {
      const changed = Object.fromEntries(HOSTS.filter(() => random() < 0.3).map((h) => [h, states[Math.floor(random() * states.length)] as HealthState]));
      versions.push(versionOf(zoneAt(serial, changed)));
    }
    const diffs = versions.slice(1).map((v, i) => diffVersions(versions[i] as ZoneVersion, v));
    diffs.forEach((d, i) => expect(apply(versions[i] as ZoneVersion, d)).toEqual(keys(versions[i + 1] as ZoneVersion)));
    for (const [from, to] of [[0, 59], [10, 20], [30, 31], [5, 58]] as const) {
      const condensed = composeDiffs(diffs.slice(from, to));
      expect(condensed.from).toBe(from + 1);
      expect(apply(versions[from] as ZoneVersion, condensed)).toEqual(keys(versions[to] as ZoneVersion));
      const direct = diffVersions(versions[from] as ZoneVersion, versions[to] as ZoneVersion);
      expect(condensed.deleted.map(recordKey).sort()).toEqual(direct.deleted.map(recordKey).sort());
      expect(condensed.added.map(recordKey).sort()).toEqual(direct.added.map(recordKey).sort());
    }
  });
});

describe('the journal of a zone', () => {
  it('keeps differences newest last and answers "changes since" any serial it holds', () => {
    const journal = new ZoneJournal('example.com');
    expect(journal.record(zoneAt(1))).toEqual({ kind: 'unchanged' });
    expect(journal.record(zoneAt(2, { 'mx1.example.com': 'unhealthy' }))).toMatchObject({ kind: 'recorded', dropped: 0 });
    expect(journal.record(zoneAt(3))).toMatchObject({ kind: 'recorded' });
    expect(journal.diffs.map((d) => [d.from, d.to])).toEqual([[1, 2], [2, 3]]);
    // mx1 went down and came back: from 1 the condensed change is empty, from 2 it is mx1's return
    expect(journal.changesSince(1)).toMatchObject({ from: 1, to: 3, deleted: [], added: [] });
    expect(journal.changesSince(2)?.added.map(journalLine).sort()).toEqual(['example.com 30 MX mx1.example.com', 'mx.example.com 30 A 192.0.2.11', 'mx1.example.com 30 A 192.0.2.11']);
    expect(journal.changesSince(3)).toBeUndefined();
    expect(journal.changesSince(77)).toBeUndefined();
    expect(journal.oldestSerial).toBe(1);
  });

  it('drops the oldest differences past maxVersions', () => {
    const journal = new ZoneJournal('example.com', { maxVersions: 3, maxBytes: 1 << 20 });
    for (let serial = 1; serial <= 6; serial++) journal.record(zoneAt(serial, serial % 2 ? { 'mx2.example.com': 'unhealthy' } : {}));
    expect(journal.diffs.map((d) => d.from)).toEqual([3, 4, 5]);
    expect(journal.changesSince(2)).toBeUndefined();
    expect(journal.changesSince(3)?.to).toBe(6);
  });

  it('drops the oldest differences past maxBytes, and reports how many went', () => {
    const journal = new ZoneJournal('example.com', { maxVersions: 100, maxBytes: 400 });
    journal.record(zoneAt(1));
    const events = [2, 3, 4, 5].map((serial) => journal.record(zoneAt(serial, serial % 2 ? {} : { 'mx1.example.com': 'unhealthy', 'relay1.example.com': 'unhealthy' })));
    expect(journal.octets).toBeLessThanOrEqual(400);
    expect(events.some((e) => e.kind === 'recorded' && e.dropped > 0)).toBe(true);
    expect(journal.changesSince(1)).toBeUndefined();
    expect(journal.changesSince(4)?.to).toBe(5);
  });

  it('maxVersions 0 keeps no history at all (IXFR always answered with the whole zone)', () => {
    const journal = new ZoneJournal('example.com', { maxVersions: 0, maxBytes: 1 << 20 });
    journal.record(zoneAt(1));
    journal.record(zoneAt(2, { 'mx1.example.com': 'unhealthy' }));
    expect(journal.diffs).toEqual([]);
    expect(journal.changesSince(1)).toBeUndefined();
  });

  it('forgets its history when the serial goes back or one serial is published twice with other records', () => {
    const journal = new ZoneJournal('example.com');
    journal.record(zoneAt(5));
    journal.record(zoneAt(6, { 'mx1.example.com': 'unhealthy' }));
    expect(journal.record(zoneAt(6, { 'mx1.example.com': 'unhealthy' }))).toEqual({ kind: 'unchanged' });
    expect(journal.diffs).toHaveLength(1);
    expect(journal.record(zoneAt(6))).toEqual({ kind: 'reset', reason: 'serial 6 published again with other records' });
    expect(journal.diffs).toEqual([]);
    journal.record(zoneAt(7, { 'mx2.example.com': 'unhealthy' }));
    expect(journal.record(zoneAt(3))).toEqual({ kind: 'reset', reason: 'serial went from 7 to 3' });
    expect(journal.changesSince(6)).toBeUndefined();
    expect(journal.serial).toBe(3);
  });
});
