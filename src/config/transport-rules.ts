// Cross-key rules of auth.mtaSts, auth.tlsRpt and auth.dane: what they need from the pools and the
// probe, and static records that would fight the ones mxpool writes for them.
import type { Fail, Path, View } from './rules.ts';
import { inZone } from './rules.ts';

/** Hex digits of a digest of each DANE matching type (RFC 6698 2.1.3). */
const DIGEST_HEX: Record<number, number> = { 1: 64, 2: 128 };

export function transportRules(view: View, fail: Fail): void {
  const zone = view.text(['zone']);
  const inbound = new Set<string>();
  let inboundPools = 0;
  for (const p of view.indexes(['pools'])) {
    if (view.text(['pools', p, 'role']) !== 'inbound') continue;
    inboundPools++;
    for (const h of view.indexes(['pools', p, 'hosts'])) {
      const name = view.text(['pools', p, 'hosts', h, 'name']);
      if (name !== undefined) inbound.add(name);
    }
  }
  const hasMtaSts = view.present(['auth', 'mtaSts']);
  const hasDane = view.present(['auth', 'dane']);
  if (hasMtaSts && inboundPools === 0 && view.indexes(['pools']).length > 0) {
    fail(['auth', 'mtaSts'], 'an inbound pool beside it (the MTA-STS policy names the MX hosts; with none it would be empty)');
  }
  if (hasDane) {
    if (inboundPools === 0 && view.indexes(['pools']).length > 0) fail(['auth', 'dane'], 'an inbound pool beside it (TLSA records are published for the MX hosts)');
    if (view.text(['probe', 'starttls']) === 'off') fail(['probe', 'starttls'], 'optional or required while auth.dane is set (the probe must see each MX host\'s certificate)');
    const matching = view.number(['auth', 'dane', 'matching']) ?? 1;
    const next = nextEntries(view);
    for (const { host, path, digests } of next) {
      if (!inbound.has(host)) fail(path, `a host of an inbound pool (${host} is not one; TLSA records are published for MX hosts)`);
      digests.forEach((digest, i) => {
        if (digest.length !== DIGEST_HEX[matching]) fail([...path, i], `a ${matching === 1 ? 'SHA-256' : 'SHA-512'} digest of ${DIGEST_HEX[matching]} hex digits (auth.dane.matching is ${matching})`);
      });
    }
  }
  if (zone !== undefined) staticRecordRules(view, fail, zone, inbound, hasMtaSts, view.present(['auth', 'tlsRpt']), hasDane && view.text(['auth', 'dane', 'mode']) !== 'audit');
}

function nextEntries(view: View): { host: string; path: Path; digests: string[] }[] {
  return view.keys(['auth', 'dane', 'next']).map((host) => {
    const path: Path = ['auth', 'dane', 'next', host];
    return { host, path, digests: view.indexes(path).map((i) => view.text([...path, i]) ?? '') };
  });
}

/** Records under `records:` at names mxpool writes for MTA-STS, TLS-RPT and DANE (publish mode). */
function staticRecordRules(view: View, fail: Fail, zone: string, inbound: Set<string>, mtaSts: boolean, tlsRpt: boolean, danePublish: boolean): void {
  for (const r of view.indexes(['records'])) {
    const name = view.text(['records', r, 'name']);
    const type = view.text(['records', r, 'type']);
    if (name === undefined || type === undefined || !inZone(name, zone)) continue;
    const at: Path = ['records', r, 'name'];
    if (mtaSts && name === `mta-sts.${zone}` && (type === 'A' || type === 'AAAA' || type === 'CNAME')) fail(at, `a name mxpool does not manage (it publishes mta-sts.${zone} from auth.mtaSts.address)`);
    else if (mtaSts && name === `_mta-sts.${zone}`) fail(at, `a name mxpool does not manage (it publishes the _mta-sts TXT from auth.mtaSts)`);
    else if (tlsRpt && name === `_smtp._tls.${zone}`) fail(at, `a name mxpool does not manage (it publishes the TLS-RPT TXT from auth.tlsRpt)`);
    else if (danePublish && type === 'TLSA' && inbound.has(name.replace(/^_25\._tcp\./, '')) && name.startsWith('_25._tcp.')) {
      fail(at, `no static TLSA at ${name} while auth.dane.mode is publish (mxpool writes it from the keys the host presents; use mode: audit to give TLSA by hand)`);
    }
  }
}
