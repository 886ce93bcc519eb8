// PURE: a journal version built on the one before (the unchanged sets keep their records and keys)
// is the same version as one built from scratch — the same records in the same order — and the
// difference computed set by set is the same difference, record for record and in the same order,
// as the one computed over every record: for each step of a chain of versions, for pairs of
// versions further apart, and through the journal itself.
import { describe, expect, it } from 'vitest';
import { diffVersions, versionOf, type ZoneVersion } from '../../../src/dns/journal/diff.ts';
import { ZoneJournal } from '../../../src/dns/journal/journal.ts';
import { chain } from '../versions.ts';

const zones = chain.map(([, zone]) => zone);
/** each version built on the one before it */
const chained: ZoneVersion[] = [];
zones.forEach((zone, i) => chained.push(versionOf(zone, chained[i - 1])));
/** each version from scratch, with no per-set view: the difference then compares every record */
const scratch = zones.map((zone) => {
  const { sets: _sets, ...version } = versionOf(structuredClone(zone));
  return version;
});

describe('journal versions built on the one before', () => {
  it('hold the same records in the same order as a version built from scratch', () => {
    chained.forEach((version, i) => {
      expect([...version.records.keys()], chain[i]?.[0]).toEqual([...(scratch[i] as ZoneVersion).records.keys()]);
      expect([...version.records.values()], chain[i]?.[0]).toEqual([...(scratch[i] as ZoneVersion).records.values()]);
    });
  });

  it('give the same difference as comparing every record, for every pair of versions', () => {
    let compared = 0;
    for (let from = 0; from < zones.length; from++) {
      for (let to = 0; to < zones.length; to++) {
        if (from === to) continue;
        const fast = diffVersions(chained[from] as ZoneVersion, chained[to] as ZoneVersion);
        const full = diffVersions(scratch[from] as ZoneVersion, scratch[to] as ZoneVersion);
        expect(fast, `${chain[from]?.[0]} -> ${chain[to]?.[0]}`).toEqual(full);
        if (full.deleted.length + full.added.length > 0) compared++;
      }
    }
    expect(compared).toBeGreaterThan(zones.length * 4);
  });

  it('reuse the records of the sets that did not change, and only those', () => {
    const [first, second] = chained as [ZoneVersion, ZoneVersion];
    // mx2 down: the inbound pool's A and MX change; the outbound pool and DMARC do not
    expect(second.sets?.get('smtp.example.com\tA')).toBe(first.sets?.get('smtp.example.com\tA'));
    expect(second.sets?.get('_dmarc.example.com\tTXT')).toBe(first.sets?.get('_dmarc.example.com\tTXT'));
    expect(second.sets?.get('mx.example.com\tA')).not.toBe(first.sets?.get('mx.example.com\tA'));
    expect(second.sets?.get('example.com\tMX')).not.toBe(first.sets?.get('example.com\tMX'));
  });

  it('the journal records the same differences as from versions built from scratch', () => {
    const journal = new ZoneJournal('example.com', { maxVersions: 100, maxBytes: 1 << 20 });
    for (const zone of zones) journal.record(zone);
    const expected = scratch.slice(1).map((version, i) => diffVersions(scratch[i] as ZoneVersion, version));
    expect(journal.diffs).toEqual(expected);
  });
});
