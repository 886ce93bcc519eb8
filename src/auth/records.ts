// The authentication records mxpool publishes: SPF (apex, plus an include chain when long), DMARC
// and DKIM, as record sets for `desired()`. Pure: config + health + clock in, record sets out.
// An SPF record that fails its own checks is not published at all — the notes say why — because a
// broken SPF (permerror) is worse for delivery than the previous one the target still serves.
import type { Config } from '../config/schema.ts';
import type { HealthSnapshot, RecordSet } from '../model.ts';
import { sendingAddresses, type RetiredAddress } from './senders.ts';
import { buildSpf, sharedSpf } from './spf-record.ts';
import { checkOwnSpf } from './spf-check.ts';
import { splitTxt } from './txt.ts';
import { isSpfRecord } from './spf-syntax.ts';
import { dmarcRecord } from './dmarc-record.ts';

export type { RetiredAddress };

export function authRecordSets(
  config: Config,
  health: HealthSnapshot,
  now: number,
  retired: readonly RetiredAddress[] = [],
  /** the record sets published last time: a failing new SPF keeps their SPF sets instead */
  previous: readonly RecordSet[] = [],
): { sets: RecordSet[]; notes: string[]; spfWithheld: boolean } {
  const sets: RecordSet[] = [];
  const notes: string[] = [];
  let spfWithheld = false;
  const txtSet = (name: string, text: string): RecordSet => ({
    name,
    type: 'TXT',
    ttl: config.ttl,
    values: [{ data: { type: 'TXT', strings: splitTxt(text) } }],
    source: 'auth',
  });

  if (config.auth.spf) {
    const addresses = sendingAddresses(config, health, now, retired);
    const apex = buildSpf(config, addresses);
    const shared = sharedSpf(config, apex, addresses);
    const records = shared ? [...apex, shared] : apex;
    const problems = [...checkOwnSpf(apex), ...(shared ? checkOwnSpf([shared, ...apex.slice(1)]) : [])];
    if (problems.length > 0) {
      const kept = spfSetsOf(config.zone, previous, config.auth.spf.sharedName);
      sets.push(...kept);
      spfWithheld = kept.length === 0;
      const fallback = kept.length > 0 ? 'the SPF published before stays' : 'none is served; a cloud target keeps the SPF it holds';
      notes.push(`SPF not published (${fallback}): ${problems.join('; ')}`);
    } else {
      sets.push(...records.map((record) => txtSet(record.name, record.text)));
      if (addresses.length === 0) notes.push('SPF: no outbound address may send; the record authorises only the configured extra/include terms');
      if (apex.length > 1) notes.push(`SPF: ${addresses.length} addresses moved into an include chain of ${apex.length - 1} record(s) to keep each under 450 octets`);
    }
  }
  if (config.auth.dmarc) sets.push(txtSet(`_dmarc.${config.zone}`, dmarcRecord(config.auth.dmarc)));
  for (const entry of config.auth.dkim) {
    sets.push(txtSet(`${entry.selector.toLowerCase()}._domainkey.${config.zone}`, entry.key.replace(/\s+/g, ' ').trim()));
  }
  return { sets, notes, spfWithheld };
}

/**
 * The SPF sets among previously published ones: the apex SPF TXT, mxpool's _spfN chain and the
 * auth.spf.sharedName record (when named: nothing else below the apex counts, so a hand-edited
 * state file cannot slip an SPF in at another name).
 */
export function spfSetsOf(zone: string, previous: readonly RecordSet[], sharedName?: string): RecordSet[] {
  const chain = new RegExp(`^_spf\\d+\\.${zone.replace(/\./g, '\\.')}$`);
  const isSpf = (value: RecordSet['values'][number]) => value.data.type === 'TXT' && isSpfRecord(value.data.strings.join(''));
  return previous.flatMap((set) => {
    if (set.type !== 'TXT' || set.source !== 'auth') return [];
    if (chain.test(set.name)) return [set];
    if (set.name === sharedName && set.values.length > 0 && set.values.every(isSpf)) return [set];
    // the apex TXT set may hold other managed values merged in: keep only the SPF one
    const spf = set.name === zone ? set.values.filter(isSpf) : [];
    return spf.length > 0 ? [{ ...set, values: spf }] : [];
  });
}
