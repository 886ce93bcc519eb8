// DNSBL lookups against a blocklist zone served by a real NSD on 127.17.3.53: listings (IPv4 and
// IPv6) with their TXT reasons, the error codes that are never a listing, delisting, and a list
// that stops answering (the last verdict stays, and says so).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { DnsblMonitor } from '../../src/dnsbl/monitor.ts';
import { Hygiene } from '../../src/security/hygiene.ts';
import { startNsdBlocklist, type NsdBlocklist } from '../helpers/dns/nsd-blocklist.ts';

const ZONE = 'zen.example-bl.test';
let bl: NsdBlocklist;

beforeAll(async () => {
  bl = await startNsdBlocklist('127.17.3.53', 5353, ZONE);
}, 45_000);
afterAll(async () => {
  await bl?.stop();
});

// timeouts generous enough for a loaded machine: a test that needs an answer waits for it
function configWith(resolver: string, timeout: string, action = 'withdraw') {
  return parseConfig(`zone: example.com
pools:
  - name: relays
    role: outbound
    hostname: smtp.example.com
    hosts:
      - { name: listed.example.com, address: 127.17.3.11 }
      - { name: refused.example.com, address: 127.17.3.12 }
      - { name: rewritten.example.com, address: 127.17.3.13 }
      - { name: clean.example.com, address: 127.17.3.14 }
      - { name: loopback-code.example.com, address: 127.17.3.15 }
      - { name: v6.example.com, address: "2001:db8::17" }
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx.example.com, address: 127.17.3.11 }
dnsbl: { zones: [${ZONE}], resolver: "${resolver}", timeout: ${timeout}, action: ${action} }
`);
}

function monitor(resolver: string, changes: string[] = [], timeout = '5s') {
  const config = configWith(resolver, timeout);
  return new DnsblMonitor({ config, logger: silentLogger, onChange: (host) => changes.push(host) });
}

describe('DNSBL lookups through a real NSD', () => {
  it('listed, error codes, clean; IPv6 nibbles; inbound pools are not looked up', { timeout: 90_000 }, async () => {
    await bl.set([
      { address: '127.17.3.11', codes: ['127.0.0.2', '127.0.0.4'], txt: 'Listed for spam: https://bl.example/127.17.3.11' },
      { address: '127.17.3.12', codes: ['127.255.255.254'] },
      { address: '127.17.3.13', codes: ['192.0.2.1'] },
      { address: '127.17.3.15', codes: ['127.0.0.1'] },
      { address: '2001:db8::17', codes: ['127.0.0.3'], txt: 'v6 listing' },
    ]);
    const changes: string[] = [];
    const m = monitor('127.17.3.53:5353', changes);
    await m.runOnce();
    const first = (host: string) => m.verdicts(host)[0]!;
    expect(m.hosts.map((h) => h.host)).not.toContain('mx.example.com');
    expect(first('listed.example.com')).toMatchObject({ listed: true, last: { status: 'listed', codes: ['127.0.0.2', '127.0.0.4'], reason: 'Listed for spam: https://bl.example/127.17.3.11', query: `11.3.17.127.${ZONE}` } });
    expect(m.listing('listed.example.com')).toBe(`listed on ${ZONE} (127.0.0.2, 127.0.0.4: Listed for spam: https://bl.example/127.17.3.11)`);
    expect(first('refused.example.com')).toMatchObject({ listed: false, last: { status: 'error', reason: '127.255.255.254: query through a public or open resolver, refused by the list' } });
    expect(first('rewritten.example.com')).toMatchObject({ listed: false, last: { status: 'error', codes: ['192.0.2.1'] } });
    expect(first('loopback-code.example.com')).toMatchObject({ listed: false, last: { status: 'error', codes: ['127.0.0.1'] } });
    expect(first('clean.example.com')).toMatchObject({ listed: false, decidedAt: expect.any(Number), last: { status: 'clean' } });
    expect(first('v6.example.com')).toMatchObject({ listed: true, last: { status: 'listed', codes: ['127.0.0.3'], reason: 'v6 listing', query: `7.1.${'0.'.repeat(22)}8.b.d.0.1.0.0.2.${ZONE}` } });
    // news: the listings, and the lookups that gave no verdict
    expect(changes.sort()).toEqual(['listed.example.com', 'loopback-code.example.com', 'refused.example.com', 'rewritten.example.com', 'v6.example.com']);

    // delisted: the next round says so, once
    await bl.set([]);
    await m.runOnce();
    expect(m.listing('listed.example.com')).toBeUndefined();
    expect(first('listed.example.com')).toMatchObject({ listed: false, last: { status: 'clean' } });
    // news again: two delistings, and three lookups that answer again
    expect(changes.length).toBe(10);
    expect(new Set(changes)).toEqual(new Set(['listed.example.com', 'loopback-code.example.com', 'refused.example.com', 'rewritten.example.com', 'v6.example.com']));
    await m.stop();
  });

  it('action: withdraw holds a listed relay out (and lifts the hold once delisted); action: report never holds', { timeout: 90_000 }, async () => {
    await bl.set([{ address: '127.17.3.11', codes: ['127.0.0.2'], txt: 'spam source' }]);
    for (const action of ['withdraw', 'report'] as const) {
      const holds: [string, string | undefined][] = [];
      const hygiene = new Hygiene({ config: configWith('127.17.3.53:5353', '5s', action), logger: silentLogger, env: {}, withhold: (host, key, reason) => holds.push([`${host} ${key}`, reason]) });
      await hygiene.runOnce();
      const listing = `listed on ${ZONE} (127.0.0.2: spam source)`;
      // reported either way: probe, /api/state and the audit read these
      expect(hygiene.findings('listed.example.com'), action).toEqual([{ id: 'dnsbl-listed', message: listing }]);
      expect(hygiene.facts().dnsbl.filter((f) => f.listed).map((f) => f.host), action).toEqual(['listed.example.com']);
      if (action === 'withdraw') {
        expect(hygiene.of('listed.example.com').withheld).toEqual([`dnsbl: ${listing}`]);
        expect(holds.filter(([, reason]) => reason !== undefined)).toEqual([['listed.example.com dnsbl', `dnsbl: ${listing}`]]);
      } else {
        expect(hygiene.of('listed.example.com').withheld).toEqual([]);
        expect(holds.filter(([, reason]) => reason !== undefined)).toEqual([]);
      }
      await bl.set([]);
      await hygiene.runOnce();
      expect(hygiene.findings('listed.example.com'), action).toEqual([]);
      if (action === 'withdraw') expect(holds.at(-1)).toEqual(['listed.example.com dnsbl', undefined]); // lifted: rise probes bring it back
      await hygiene.stop();
      await bl.set([{ address: '127.17.3.11', codes: ['127.0.0.2'], txt: 'spam source' }]);
    }
  });

  it('a list that stops answering: unknown, and the last verdict (listed) stays and says so', { timeout: 90_000 }, async () => {
    await bl.set([{ address: '127.17.3.11', codes: ['127.0.0.2'] }]);
    const changes: string[] = [];
    const m = monitor('127.17.3.53:5353', changes, '3s');
    await m.runOnce();
    expect(m.listing('listed.example.com')).toBe(`listed on ${ZONE} (127.0.0.2)`);
    await bl.stop(); // the list goes silent (this is the last test of the file)
    await m.runOnce();
    expect(m.verdicts('listed.example.com')[0]).toMatchObject({ listed: true, last: { status: 'unknown' } });
    expect(m.listing('listed.example.com')).toMatch(new RegExp(`^listed on ${ZONE} \\(no answer from ${ZONE}: .*; keeping the last verdict: listed\\)$`));
    expect(m.verdicts('clean.example.com')[0]).toMatchObject({ listed: false, last: { status: 'unknown' } });
    // the listing once; then the outage is news for every host (no answer), but the listing stays
    expect(changes.filter((host) => host === 'listed.example.com')).toEqual(['listed.example.com', 'listed.example.com']);
    expect(m.listing('listed.example.com')).toBeDefined();
    await m.stop();
  });
});
