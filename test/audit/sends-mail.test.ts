// Whether a domain sends mail (an outbound pool, or an SPF record that can give "pass"), and what it
// does to dmarc-missing: an error for a sending domain, a warning for one that sends nothing. The
// table reads crafted zones; the end-to-end cases run `mxpool audit` against the built-in nameserver
// on 127.12.0.x and a config file.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.ts';
import { DnsServer } from '../../src/dns/server.ts';
import { parseZone } from '../../src/dns/masterfile.ts';
import { silentLogger } from '../../src/log.ts';
import { parseConfig } from '../../src/config/load.ts';
import { zoneResolver } from '../../src/audit/zone-resolver.ts';
import { lookupTree } from '../../src/audit/spf/tree.ts';
import { spfAuthorisesSender } from '../../src/audit/spf/authorises.ts';
import type { Config } from '../../src/config/schema.ts';
import { servfailAt } from './helpers/zones.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ZONE_HEAD = ['$ORIGIN example.com.', '$TTL 300', '@ IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 604800 60', '@ IN NS ns1.example.com.', 'ns1 IN A 192.0.2.53'];
const zone = (lines: string[]) => parseZone([...ZONE_HEAD, ...lines, ''].join('\n'), 'example.com');
const txt = (name: string, text: string) => `${name} IN TXT "${text}"`;

// [what, the zone's SPF lines, authorises?]
const table: Array<[string, string[], boolean | undefined]> = [
  ['v=spf1 -all', [txt('@', 'v=spf1 -all')], false],
  ['~all alone authorises nobody (softfail)', [txt('@', 'v=spf1 ~all')], false],
  ['?all alone authorises nobody (neutral)', [txt('@', 'v=spf1 ?all')], false],
  ['only non-pass qualifiers', [txt('@', 'v=spf1 -ip4:192.0.2.1 ~mx ?a ~all')], false],
  ['an ip4 term', [txt('@', 'v=spf1 ip4:192.0.2.20 -all')], true],
  ['an ip6 term, explicit +', [txt('@', 'v=spf1 +ip6:2001:db8::/64 -all')], true],
  ['mx, even if it finds no address today', [txt('@', 'v=spf1 mx -all')], true],
  ['a:name', [txt('@', 'v=spf1 a:relay.example.com ~all')], true],
  ['exists with a macro', [txt('@', 'v=spf1 exists:%{i}.allow.example.com -all')], true],
  ['+all', [txt('@', 'v=spf1 +all')], true],
  ['include of a sending record', [txt('@', 'v=spf1 include:_spf.example.com -all'), txt('_spf', 'v=spf1 ip4:192.0.2.0/24 -all')], true],
  ['include of "v=spf1 -all" only', [txt('@', 'v=spf1 include:_spf.example.com -all'), txt('_spf', 'v=spf1 -all')], false],
  ['include through two levels', [txt('@', 'v=spf1 include:_a.example.com -all'), txt('_a', 'v=spf1 include:_b.example.com -all'), txt('_b', 'v=spf1 ip4:192.0.2.9 -all')], true],
  ['?include: matches as neutral, never pass', [txt('@', 'v=spf1 ?include:_spf.example.com -all'), txt('_spf', 'v=spf1 ip4:192.0.2.0/24 -all')], false],
  ['include of a name without SPF (permerror)', [txt('@', 'v=spf1 include:_none.example.com -all')], false],
  ['include outside the zone: unknown, counted as sending', [txt('@', 'v=spf1 include:_spf.provider.example -all')], true],
  ['include with a macro: unknown, counted as sending', [txt('@', 'v=spf1 include:%{d}.spf.example.com -all')], true],
  ['an include loop (permerror)', [txt('@', 'v=spf1 include:_loop.example.com -all'), txt('_loop', 'v=spf1 include:example.com -all')], false],
  ['redirect= to a sending record', [txt('@', 'v=spf1 redirect=_spf.example.com'), txt('_spf', 'v=spf1 ip4:192.0.2.0/24 -all')], true],
  ['redirect= to "v=spf1 -all"', [txt('@', 'v=spf1 redirect=_spf.example.com'), txt('_spf', 'v=spf1 -all')], false],
  ['redirect= to a name without SPF (permerror)', [txt('@', 'v=spf1 redirect=_none.example.com')], false],
  ['redirect= ignored beside all', [txt('@', 'v=spf1 -all redirect=_spf.example.com'), txt('_spf', 'v=spf1 ip4:192.0.2.0/24 -all')], false],
  ['no SPF record', [], false],
  ['a broken record at the top counts as meant to send', [txt('@', 'v=spf1 ip4:192.0.2.300 -all')], true],
  ['several SPF records at the top count as meant to send', [txt('@', 'v=spf1 -all'), txt('@', 'v=spf1 ip4:192.0.2.1 -all')], true],
];

describe('does the SPF record authorise any sender?', () => {
  it.each(table)('%s', async (_what, lines, expected) => {
    const tree = await lookupTree(zoneResolver('example.com', zone(lines)), 'example.com');
    expect(spfAuthorisesSender(tree)).toBe(expected);
  });

  it('the SPF record cannot be read (SERVFAIL): unknown', async () => {
    const tree = await lookupTree(servfailAt(zoneResolver('example.com', zone([txt('@', 'v=spf1 -all')])), 'example.com'), 'example.com');
    expect(spfAuthorisesSender(tree)).toBeUndefined();
  });
});

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(argv), out };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

interface Report {
  findings: Array<{ id: string; severity: string; message: string }>;
}
const dmarcMissing = (out: string) => (JSON.parse(out) as Report).findings.filter((f) => f.id === 'dmarc-missing');

describe('dmarc-missing on a live domain: the SPF decides', () => {
  // one nameserver per kind of domain, on this worktree's loopback range
  const servers: DnsServer[] = [];
  const serve = async (address: string, lines: string[]) => {
    const server = new DnsServer({ nameserver: { listen: [`${address}:0`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' }, transfer: { allow: [], notify: [] } } as unknown as NonNullable<Config['nameserver']>, zone: 'example.com', logger: silentLogger });
    servers.push(server);
    await server.start();
    server.setZone({ zone: 'example.com', serial: 1, sets: zone(lines), notes: [] });
    return server.listening().udp[0] as string;
  };
  let sending: string;
  let silent: string;
  beforeAll(async () => {
    const mail = ['@ IN MX 10 mx1.example.com.', 'mx1 IN A 192.0.2.10'];
    sending = await serve('127.12.0.10', [...mail, txt('@', 'v=spf1 ip4:192.0.2.20 ~all')]);
    silent = await serve('127.12.0.11', ['@ IN MX 0 .', txt('@', 'v=spf1 -all')]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('a sending domain without DMARC: dmarc-missing at error, exit 1', async () => {
    const { code, out } = await run(['audit', '--domain', 'example.com', '--nameserver', sending, '--format', 'json']);
    const [finding, ...more] = dmarcMissing(out);
    expect(more).toEqual([]);
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toBe('no DMARC record at _dmarc.example.com; example.com sends mail (its SPF record authorises senders: "v=spf1 ip4:192.0.2.20 ~all"): Gmail, Yahoo and Outlook.com reject or junk bulk mail from a domain without DMARC');
    expect(code).toBe(1);
  });

  it('a domain that sends nothing ("v=spf1 -all"): a warning, exit 0 (1 with --fail-on warning)', async () => {
    const { code, out } = await run(['audit', '--domain', 'example.com', '--nameserver', silent, '--format', 'json']);
    const [finding, ...more] = dmarcMissing(out);
    expect(more).toEqual([]);
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toBe('no DMARC record at _dmarc.example.com; example.com sends no mail (its SPF record authorises no sender: "v=spf1 -all")');
    expect((JSON.parse(out) as Report).findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
    expect((await run(['audit', '--domain', 'example.com', '--nameserver', silent, '--fail-on', 'warning'])).code).toBe(1);
  });
});

describe('dmarc-missing on a config: an outbound pool sends mail', () => {
  const dir = tempDir('mxpool-sends-');
  const inbound = 'zone: example.com\npools:\n  - { name: in, role: inbound, mx: { name: example.com, preference: 10 }, hosts: [ { name: mx1.example.com, address: 192.0.2.10 } ] }\n';
  const configFile = (name: string, text: string) => {
    parseConfig(text); // a valid config, so the audit's verdict is about DMARC alone
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('an outbound pool, no auth.dmarc: error, exit 1', async () => {
    const file = configFile('outbound.yaml', `${inbound}  - { name: relays, role: outbound, hosts: [ { name: relay1.example.com, address: 192.0.2.20 } ] }\nauth: { spf: {} }\n`);
    const { code, out } = await run(['audit', '--config', file, '--format', 'json']);
    expect(dmarcMissing(out)).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('example.com sends mail (it has the outbound pool relays)') })]);
    expect(code).toBe(1);
  });

  it('no outbound pool, but auth.spf authorises a provider: error', async () => {
    const file = configFile('provider.yaml', `${inbound}auth: { spf: { extra: ["include:_spf.provider.example"] } }\n`);
    const { code, out } = await run(['audit', '--config', file, '--format', 'json']);
    expect(dmarcMissing(out)).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('its SPF record authorises senders') })]);
    expect(code).toBe(1);
  });

  it('inbound only, no SPF: a warning', async () => {
    const file = configFile('inbound.yaml', inbound);
    const { code, out } = await run(['audit', '--config', file, '--format', 'json']);
    expect(dmarcMissing(out)).toEqual([expect.objectContaining({ severity: 'warning', message: 'no DMARC record at _dmarc.example.com; example.com sends no mail (no outbound pool, no SPF record)' })]);
    expect(code).toBe(0);
  });
});
