// A Resolver over the `zonedata` of the pyspf/blitiri SPF test suites: name -> list of records,
// `TIMEOUT` (the query times out), `SERVFAIL: true`, names not listed are NXDOMAIN, and SPF-type
// records stand in for TXT where a name has no TXT (the suites' convention).
import type { Answer, MxRecord, Resolver } from '../../../src/audit/resolver.ts';
import { parseAddress } from '../../../src/auth/ip.ts';
import { reverseName } from '../../../src/audit/resolver.ts';
import { formatRData, splitTxt } from '../../../src/dns/rdata.ts';
import { fqdn } from '../../../src/dns/name.ts';
import type { RData } from '../../../src/model.ts';

export type ZoneData = Record<string, unknown[]>;

interface Entry {
  txt: string[][];
  /** TXT: NONE — the name has no TXT, and its SPF records do not stand in for them */
  txtNone: boolean;
  spf: string[][];
  a: string[];
  aaaa: string[];
  mx: MxRecord[];
  ptr: string[];
  cname: string[];
  failure?: 'timeout' | 'servfail';
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

export function zoneDataResolver(zonedata: ZoneData): Resolver {
  const entries = new Map<string, Entry>();
  for (const [rawName, records] of Object.entries(zonedata ?? {})) {
    const entry: Entry = { txtNone: false, txt: [], spf: [], a: [], aaaa: [], mx: [], ptr: [], cname: [] };
    for (const record of records ?? []) {
      if (record === 'TIMEOUT') { entry.failure = 'timeout'; continue; }
      const [type, value] = Object.entries(record as Record<string, unknown>)[0] as [string, unknown];
      switch (type) {
        case 'TIMEOUT': entry.failure = 'timeout'; break;
        case 'SERVFAIL': entry.failure = 'servfail'; break;
        case 'TXT': if (value === 'NONE') entry.txtNone = true; else entry.txt.push(strings(value)); break;
        case 'SPF': entry.spf.push(strings(value)); break;
        case 'A': entry.a.push(...strings(value)); break;
        case 'AAAA': entry.aaaa.push(...strings(value)); break;
        case 'PTR': entry.ptr.push(String(value).toLowerCase().replace(/\.$/, '')); break;
        case 'CNAME': entry.cname.push(String(value).toLowerCase().replace(/\.$/, '')); break;
        case 'MX': {
          const [preference, exchange] = value as [number, string];
          entry.mx.push({ preference, exchange: String(exchange).toLowerCase().replace(/\.$/, '') });
          break;
        }
        default: throw new Error(`zonedata: unknown record type ${type} at ${rawName}`);
      }
    }
    entries.set(rawName.toLowerCase().replace(/\.$/, ''), entry);
  }

  // pyspf driver semantics: a type with records answers; a type without records times out when the
  // name has TIMEOUT (SERVFAIL likewise), else NODATA. Non-CNAME questions follow a CNAME.
  function answer<T>(rawName: string, pick: (entry: Entry) => T[], followCname = true): Promise<Answer<T>> {
    let name = rawName.toLowerCase().replace(/\.$/, '');
    for (let hop = 0; hop < 8; hop++) {
      const entry = entries.get(name);
      if (!entry) return Promise.resolve({ status: 'nxdomain' });
      const records = pick(entry);
      if (records.length > 0) return Promise.resolve({ status: 'ok', records });
      if (followCname && entry.cname.length > 0) {
        name = entry.cname[0] as string;
        continue;
      }
      if (entry.failure) return Promise.resolve({ status: 'temperror', reason: `${name}: ${entry.failure}` });
      return Promise.resolve({ status: 'nodata' });
    }
    return Promise.resolve({ status: 'temperror', reason: `${rawName}: CNAME loop` });
  }

  return {
    txt: (name) => answer(name, (e) => (e.txt.length > 0 || e.txtNone ? e.txt : e.spf)),
    a: (name) => answer(name, (e) => e.a),
    aaaa: (name) => answer(name, (e) => e.aaaa),
    mx: (name) => answer(name, (e) => e.mx),
    cname: (name) => answer(name, (e) => e.cname, false),
    ptr: (ip) => {
      const parsed = parseAddress(ip);
      return parsed ? answer(reverseName(ip, parsed), (e) => e.ptr) : Promise.resolve({ status: 'nxdomain' });
    },
  };
}

/**
 * The same zonedata as ONE root-zone master file ($ORIGIN ., every name absolute), for
 * `mxpool spf --zone`. Faithful to the suite's conventions for a TXT-only checker (RFC 7208 3.1):
 * SPF-type records become TXT where the name has no TXT (and no `TXT: NONE`); a TXT string over
 * 255 octets is split as a zone would publish it; a record of no strings (`SPF: []`, which a master
 * file cannot hold) becomes one empty string — neither is an SPF record. `TIMEOUT`/`SERVFAIL` cannot be written in a file:
 * they are left out (the name keeps its other records), and the tests that meet them are not runnable.
 */
export function zoneDataMasterFile(zonedata: ZoneData): string {
  const lines = ['$ORIGIN .', '$TTL 300'];
  const owner = (name: string) => fqdn(escapeName(name.replace(/\.$/, '')));
  for (const [name, records] of Object.entries(zonedata ?? {})) {
    const typed = (records ?? []).filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null).map((r) => Object.entries(r)[0] as [string, unknown]);
    const hasTxt = typed.some(([type]) => type === 'TXT');
    for (const [type, value] of typed) {
      const data = ((): RData[] => {
        switch (type) {
          case 'A':
          case 'AAAA':
            return strings(value).map((address) => ({ type, address }) as RData);
          case 'MX': {
            const [preference, exchange] = value as [number, string];
            return [{ type: 'MX', preference, exchange: escapeName(String(exchange).replace(/\.$/, '')) }];
          }
          case 'PTR':
          case 'CNAME':
            return [{ type, target: escapeName(String(value).replace(/\.$/, '')) } as RData];
          case 'TXT':
            return value === 'NONE' ? [] : [txtOf(value)];
          case 'SPF':
            return hasTxt ? [] : [txtOf(value)];
          default:
            return []; // TIMEOUT, SERVFAIL
        }
      })();
      for (const rdata of data) lines.push(`${owner(name)} IN ${rdata.type} ${formatRData(rdata)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function txtOf(value: unknown): RData {
  const split = strings(value).flatMap((s) => splitTxt(s));
  return { type: 'TXT', strings: split.length > 0 ? split : [''] };
}

/** A name in presentation form: bytes outside letters, digits, '-', '_' and '.' as \DDD (RFC 1035 5.1). */
function escapeName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) out += /[A-Za-z0-9._-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  return out;
}
