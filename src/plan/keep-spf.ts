// PURE: when the desired SPF failed its own checks (too many lookups, too long, a syntax error from
// a bad `extra` term), desired() publishes no SPF rather than a broken one. To a cloud target "no
// SPF" would read as "delete the SPF you hold" — and a domain with no SPF fails DMARC for every
// message, which is worse than a slightly stale list. So the plan keeps the SPF the target holds
// (mxpool's own: the apex SPF value and the `_spfN` include chain) exactly as it is.
import type { RecordSet } from '../model.ts';
import { spfSetsOf } from '../auth/records.ts';
import type { CurrentSet } from './types.ts';

/** `desired` plus the SPF sets mxpool owns at the target now, so the diff leaves them alone. */
export function withCurrentSpf(desired: readonly RecordSet[], current: readonly CurrentSet[], ownerId: string, zone: string, sharedName?: string): { sets: RecordSet[]; kept: number } {
  const ownedAsAuth = current.filter((set) => set.owner === ownerId).map((set): RecordSet => ({ ...set, source: 'auth' }));
  const held = spfSetsOf(zone, ownedAsAuth, sharedName);
  const sets = [...desired];
  for (const set of held) {
    const at = sets.findIndex((wanted) => wanted.name === set.name && wanted.type === set.type);
    if (at < 0) {
      sets.push(set);
      continue;
    }
    // the apex TXT set may carry other values mxpool manages there: add the held SPF beside them
    const wanted = sets[at] as RecordSet;
    sets[at] = { ...wanted, values: [...wanted.values, ...set.values] };
  }
  return { sets, kept: held.length };
}
