// PURE: the last published SPF (apex SPF TXT + the `_spfN` include chain) to and from the state
// file. After a restart it seeds the publisher's "previous" sets, so a config that would produce a
// failing SPF keeps the last good one served instead of dropping SPF (src/auth/records.ts).
import type { RecordSet } from '../model.ts';
import { spfSetsOf } from '../auth/records.ts';
import type { SavedSpfSet } from '../state/file.ts';

/** The SPF sets of a published zone, as the state file keeps them. */
export function spfToSave(zone: string, sets: readonly RecordSet[], sharedName?: string): SavedSpfSet[] {
  return spfSetsOf(zone, sets, sharedName).map((set) => ({
    name: set.name,
    ttl: set.ttl,
    values: set.values.flatMap((value) => (value.data.type === 'TXT' ? [[...value.data.strings]] : [])),
  }));
}

/**
 * The saved SPF as record sets. Filtered again through `spfSetsOf`: a hand-edited file cannot slip
 * anything but the zone's SPF TXT and its `_spfN` chain into the "previous" sets.
 */
export function spfFromSaved(zone: string, saved: readonly SavedSpfSet[], sharedName?: string): RecordSet[] {
  const sets: RecordSet[] = saved.map((set) => ({
    name: set.name.toLowerCase().replace(/\.$/, ''),
    type: 'TXT',
    ttl: set.ttl,
    values: set.values.map((strings) => ({ data: { type: 'TXT', strings: [...strings] } })),
    source: 'auth',
  }));
  return spfSetsOf(zone, sets, sharedName);
}
