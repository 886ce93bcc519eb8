// Every way a config can be wrong, one row each: the row names the fault, and checks that the loader
// reports exactly these problems, each at the right line and column, under the right key path.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// A valid config; cases replace or append lines, so line numbers below refer to this layout.
const BASE = [
  'zone: example.com', // 1
  'pools:', // 2
  '  - name: inbound', // 3
  '    role: inbound', // 4
  '    mx: { name: example.com, preference: 10 }', // 5
  '    hosts:', // 6
  '      - { name: mx1.example.com, address: 192.0.2.10 }', // 7
  '      - { name: mx2.example.com, address: 192.0.2.11 }', // 8
  '  - name: outbound', // 9
  '    role: outbound', // 10
  '    hostname: smtp.example.com', // 11
  '    hosts:', // 12
  '      - { name: relay1.example.com, address: 192.0.2.20, port: 587 }', // 13
];

/** BASE with line `n` (1-based) replaced. */
const replace = (n: number, line: string, lines = BASE) => lines.map((old, i) => (i === n - 1 ? line : old));
/** BASE plus lines from line 14 on. */
const plus = (...extra: string[]) => [...BASE, ...extra];
const text = (lines: string[]) => `${lines.join('\n')}\n`;

type Expected = [line: number, col: number, path: string, fragment: string];
interface Case {
  fault: string;
  yaml: string;
  expected: Expected[];
}

const cases: Case[] = [
  // --- YAML itself
  { fault: 'yaml: flow sequence never closed', yaml: 'zone: example.com\npools: [a, b\nttl: 3\n', expected: [[3, 1, 'pools', 'valid YAML: Flow sequence']] },
  { fault: 'yaml: tab used as indentation', yaml: 'zone: example.com\npools:\n\t- name: x\n', expected: [[3, 1, '', 'a tab is not allowed']] },
  { fault: 'yaml: key without colon', yaml: 'zone: example.com\npools\nttl: 3\n', expected: [[2, 1, '', 'a key on one line (the text from here to line 3']] },
  { fault: 'yaml: quote never closed', yaml: 'zone: "example.com\npools: []\n', expected: [[3, 1, 'zone', 'Missing closing "quote']] },
  { fault: 'yaml: line indented under a plain value', yaml: 'zone: example.com\n  pools: x\n', expected: [[1, 7, 'zone', 'a plain value after the colon']] },
  { fault: 'yaml: key given twice', yaml: text(plus('ttl: 30', 'ttl: 60')), expected: [[15, 1, 'ttl', 'a key given once (ttl is already set at line 14)']] },
  { fault: 'yaml: key given twice inside a host', yaml: text(replace(7, '      - { name: mx1.example.com, address: 192.0.2.10, address: 192.0.2.12 }')), expected: [[7, 55, 'pools.0.hosts.0.address', 'a key given once (address is already set at line 7)']] },
  { fault: 'yaml: two documents', yaml: text(plus('---', 'zone: example.org')), expected: [[14, 1, '', 'one YAML document']] },
  { fault: 'yaml: alias to a missing anchor', yaml: text(replace(13, '      - *relay')), expected: [[13, 9, 'pools.1.hosts.0', 'an alias to an anchor set above it (*relay has no &relay']] },
  { fault: 'yaml: a list used as a key', yaml: text(plus('[a, b]: 1')), expected: [[14, 1, '', 'a plain key']] },
  // --- the document as a whole
  { fault: 'empty file', yaml: '', expected: [[1, 1, '', 'the file is empty']] },
  { fault: 'only comments', yaml: '# nothing here yet\n\n', expected: [[1, 1, '', 'the file is empty']] },
  { fault: 'top level is a list', yaml: '- zone: example.com\n', expected: [[1, 1, '', 'a mapping of config keys (zone:, pools:, ...) (got a list of 1)']] },
  { fault: 'top level is a string', yaml: 'example.com\n', expected: [[1, 1, '', 'a mapping of config keys (zone:, pools:, ...) (got the string "example.com")']] },
  { fault: 'zone missing', yaml: text(BASE.slice(1)), expected: [[1, 1, 'zone', 'a DNS name such as mx1.example.com (the key is missing)']] },
  { fault: 'pools empty', yaml: 'zone: example.com\npools: []\n', expected: [[2, 8, 'pools', 'at least one pool (got an empty list)']] },
  // --- unknown keys and secrets
  { fault: 'unknown key, a likely typo', yaml: text(plus('probe: { intervall: 10s }')), expected: [[14, 10, 'probe.intervall', 'did you mean interval?']] },
  { fault: 'unknown key in a host', yaml: text(replace(8, '      - { name: mx2.example.com, address: 192.0.2.11, priority: 5 }')), expected: [[8, 55, 'pools.0.hosts.1.priority', 'allowed here: name, address, port, weight, disabled']] },
  { fault: 'unknown top-level key', yaml: text(plus('tll: 60')), expected: [[14, 1, 'tll', 'did you mean ttl?']] },
  { fault: 'secret inline: http token', yaml: text(plus('http: { listen: "127.0.0.1:8053", token: s3cr3t }')), expected: [[14, 35, 'http.token', 'no secret in the config file']] },
  { fault: 'secret inline: cloudflare apiToken', yaml: text(plus('providers:', '  cloudflare: { zoneId: abc123, apiToken: s3cr3t }')), expected: [[15, 33, 'providers.cloudflare.apiToken', 'name that variable with tokenEnv']] },
  { fault: 'secret inline: AWS secretAccessKey', yaml: text(plus('providers:', '  route53:', '    hostedZoneId: Z123', '    secretAccessKey: abc')), expected: [[17, 5, 'providers.route53.secretAccessKey', 'credential chain']] },
  { fault: 'secret pasted into tokenEnv', yaml: text(plus('http: { tokenEnv: Zx81kLmQ2vR7tYp4WnB6sD9fG3hJ5 }')), expected: [[14, 19, 'http.tokenEnv', 'this looks like a token itself']] },
  { fault: 'tokenEnv that is no variable name', yaml: text(plus('http: { tokenEnv: "my-token-1" }')), expected: [[14, 19, 'http.tokenEnv', 'the name of an environment variable such as MXPOOL_TOKEN']] },
  // --- wrong types and field values
  { fault: 'ttl is a word, not a number', yaml: text(plus('ttl: thirty')), expected: [[14, 6, 'ttl', 'a TTL in seconds, a whole number 1..86400 (got the string "thirty")']] },
  { fault: 'port quoted as a string', yaml: text(replace(13, '      - { name: relay1.example.com, address: 192.0.2.20, port: "587" }')), expected: [[13, 64, 'pools.1.hosts.0.port', 'a port number, a whole number 1..65535 (got the string "587")']] },
  { fault: 'hosts is a mapping, not a list', yaml: text([...BASE.slice(0, 11), '    hosts: { name: relay1.example.com }']), expected: [[12, 12, 'pools.1.hosts', 'a list of hosts (got a mapping)']] },
  { fault: 'hosts key left empty', yaml: text([...BASE.slice(0, 11), '    hosts:']), expected: [[12, 5, 'pools.1.hosts', 'a list of hosts (got an empty value)']] },
  { fault: 'boolean given as yes-text', yaml: text(plus('probe: { hold: "yes" }')), expected: [[14, 16, 'probe.hold', 'true or false (got the string "yes")']] },
  { fault: 'duration without a unit', yaml: text(plus('probe: { interval: 5 }')), expected: [[14, 20, 'probe.interval', 'a duration such as 500ms, 10s or 2m (got the number 5)']] },
  { fault: 'duration with an unknown unit', yaml: text(plus('probe: { interval: 5 sec, timeout: 1s }')), expected: [[14, 20, 'probe.interval', 'a duration such as 500ms, 10s or 2m (got the string "5 sec")']] },
  { fault: 'address is not an IP', yaml: text(replace(7, '      - { name: mx1.example.com, address: 192.0.2.300 }')), expected: [[7, 43, 'pools.0.hosts.0.address', 'an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10 (got the string "192.0.2.300")']] },
  { fault: 'host name is not a DNS name', yaml: text(replace(7, '      - { name: "mx 1.example.com", address: 192.0.2.10 }')), expected: [[7, 17, 'pools.0.hosts.0.name', 'a DNS name such as mx1.example.com']] },
  { fault: 'role misspelt', yaml: text(replace(10, '    role: outgoing')), expected: [[10, 11, 'pools.1.role', 'inbound (an MX pool) or outbound (a relay pool) (got the string "outgoing")']] },
  { fault: 'whenAllDown unknown', yaml: text(plus('    whenAllDown: keep')), expected: [[14, 18, 'pools.1.whenAllDown', 'all, last-known-good or none']] },
  { fault: 'cron schedule with a bad minute', yaml: text(plus('providers:', '  route53: { hostedZoneId: Z123, schedule: "61 * * * *" }')), expected: [[15, 44, 'providers.route53.schedule', 'a cron expression']] },
  { fault: 'listen address without port', yaml: text(plus('http: { listen: "127.0.0.1" }')), expected: [[14, 17, 'http.listen', 'an address:port such as 127.0.0.1:5353']] },
  { fault: 'a pool written as a plain name', yaml: 'zone: example.com\npools:\n  - inbound\n', expected: [[3, 5, 'pools.0', 'a pool mapping with name:, role: and hosts: (got the string "inbound")']] },
  { fault: 'probe written as a list', yaml: text(plus('probe: [interval, 5s]')), expected: [[14, 8, 'probe', 'a mapping of probe settings (interval:, timeout:, ...) (got a list of 2)']] },
  { fault: 'mx written as a plain name', yaml: text(replace(5, '    mx: example.com')), expected: [[5, 9, 'pools.0.mx', 'a mapping { name, preference } (got the string "example.com")']] },
  { fault: 'nameserver key left empty', yaml: text(plus('nameserver:')), expected: [[14, 1, 'nameserver', 'a mapping with at least ns: and soa: (got an empty value)']] },
  { fault: 'nameserver without soa', yaml: text(plus('nameserver: { ns: [ns1.example.com] }')), expected: [[14, 13, 'nameserver.soa', 'a mapping { mname, rname } (the key is missing)']] },
  // --- TSIG and keyed transfer entries (nameserver starts at line 14; tsig/transfer from line 17)
  { fault: 'tsig: unknown algorithm', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  tsig: [{ name: xfr, algorithm: hmac-md5, secretEnv: XFR }]')), expected: [[17, 34, 'nameserver.tsig.0.algorithm', 'hmac-sha256, hmac-sha384 or hmac-sha512 (got the string "hmac-md5")']] },
  { fault: 'tsig: secret written inline', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  tsig: [{ name: xfr, algorithm: hmac-sha256, secret: aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ= }]')), expected: [[17, 10, 'nameserver.tsig.0.secretEnv', 'the name of an environment variable'], [17, 47, 'nameserver.tsig.0.secret', 'name that variable with secretEnv (base64']] },
  { fault: 'tsig: secretEnv missing', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  tsig: [{ name: xfr, algorithm: hmac-sha256 }]')), expected: [[17, 10, 'nameserver.tsig.0.secretEnv', 'the name of an environment variable such as']] },
  { fault: 'tsig: a key name twice', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  tsig:', '    - { name: xfr, algorithm: hmac-sha256, secretEnv: A }', '    - { name: XFR, algorithm: hmac-sha512, secretEnv: B }')), expected: [[19, 15, 'nameserver.tsig.1.name', 'a key name used once (xfr is already nameserver.tsig.0)']] },
  { fault: 'transfer.allow names an undefined key', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  tsig: [{ name: xfr, algorithm: hmac-sha256, secretEnv: A }]', '  transfer: { allow: ["127.0.0.1", { address: 192.0.2.53, key: xfrr }] }')), expected: [[18, 64, 'nameserver.transfer.allow.1.key', 'the name of a key in nameserver.tsig (xfrr is not one; defined: xfr)']] },
  { fault: 'transfer.notify names a key with no tsig at all', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  transfer: { notify: [{ address: "192.0.2.53:53", key: xfr }] }')), expected: [[17, 57, 'nameserver.transfer.notify.0.key', 'xfr is not one; nameserver.tsig defines no key']] },
  { fault: 'transfer.allow entry without its key', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  transfer: { allow: [{ address: 192.0.2.53 }] }')), expected: [[17, 23, 'nameserver.transfer.allow.0', 'an IP address such as 192.0.2.53, or a mapping { address: 192.0.2.53, key: xfr-key }']] },
  { fault: 'transfer.allow keyed entry with a bad address', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  tsig: [{ name: xfr, algorithm: hmac-sha256, secretEnv: A }]', '  transfer: { allow: [{ address: 192.0.2.300, key: xfr }] }')), expected: [[18, 34, 'nameserver.transfer.allow.0.address', 'an IPv4 or IPv6 address']] },
  { fault: 'transfer.notify keyed entry without a port', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  tsig: [{ name: xfr, algorithm: hmac-sha256, secretEnv: A }]', '  transfer: { notify: [{ address: 192.0.2.53, key: xfr }] }')), expected: [[18, 35, 'nameserver.transfer.notify.0.address', 'an address:port']] },
  { fault: 'journal: negative bound', yaml: text(plus('nameserver:', '  ns: [ns1.example.com]', '  soa: { mname: ns1.example.com, rname: hostmaster.example.com }', '  journal: { maxVersions: -1 }')), expected: [[17, 27, 'nameserver.journal.maxVersions', 'a number of versions, a whole number 0..100000']] },
  // --- the cross-field rules of issue 2
  { fault: 'duplicate host name across pools', yaml: text(replace(13, '      - { name: mx1.example.com, address: 192.0.2.20 }')), expected: [[13, 17, 'pools.1.hosts.0.name', 'a host name used once (mx1.example.com is already pools.0.hosts.0)']] },
  { fault: 'same address twice in one pool', yaml: text(replace(8, '      - { name: mx2.example.com, address: 192.0.2.10 }')), expected: [[8, 43, 'pools.0.hosts.1.address', 'an address used once per pool (192.0.2.10 is already pools.0.hosts.0)']] },
  { fault: 'same IPv6 address twice, spelt differently', yaml: text(replace(8, '      - { name: mx2.example.com, address: "2001:DB8:0::10" }', replace(7, '      - { name: mx1.example.com, address: "2001:db8::10" }'))), expected: [[8, 43, 'pools.0.hosts.1.address', 'an address used once per pool (2001:db8::10 is already pools.0.hosts.0)']] },
  { fault: 'inbound pool without mx', yaml: text(BASE.filter((_, i) => i !== 4)), expected: [[3, 5, 'pools.0.mx', 'an mx: { name, preference } (pool "inbound" is inbound']] },
  { fault: 'outbound pool with mx', yaml: text(replace(11, '    mx: { name: example.com }')), expected: [[11, 9, 'pools.1.mx', 'no mx in an outbound pool']] },
  { fault: 'mx name outside the zone', yaml: text(replace(5, '    mx: { name: example.net, preference: 10 }')), expected: [[5, 17, 'pools.0.mx.name', 'a name inside zone example.com']] },
  { fault: 'host name outside the zone', yaml: text(replace(8, '      - { name: mx2.example.net, address: 192.0.2.11 }')), expected: [[8, 17, 'pools.0.hosts.1.name', 'a name inside zone example.com']] },
  { fault: 'pool hostname outside the zone', yaml: text(replace(11, '    hostname: smtp.example.org')), expected: [[11, 15, 'pools.1.hostname', 'a name inside zone example.com']] },
  { fault: 'timeout equal to interval', yaml: text(plus('probe: { interval: 2s, timeout: 2000ms }')), expected: [[14, 33, 'probe.timeout', 'a timeout shorter than probe.interval (2000 ms is not shorter than 2000 ms)']] },
  { fault: 'timeout longer than interval', yaml: text(plus('probe:', '  interval: 500ms', '  timeout: 2s')), expected: [[16, 12, 'probe.timeout', 'shorter than probe.interval']] },
  { fault: 'rise below 1', yaml: text(plus('probe: { rise: 0 }')), expected: [[14, 16, 'probe.rise', 'a whole number >= 1 (got the number 0)']] },
  { fault: 'fall below 1', yaml: text(plus('probe: { fall: -1 }')), expected: [[14, 16, 'probe.fall', 'a whole number >= 1 (got the number -1)']] },
  { fault: 'ttl 0', yaml: text(plus('ttl: 0')), expected: [[14, 6, 'ttl', 'a TTL in seconds, a whole number 1..86400 (got the number 0)']] },
  { fault: 'ttl over a day', yaml: text(plus('ttl: 86401')), expected: [[14, 6, 'ttl', '1..86400 (got the number 86401)']] },
  { fault: 'static record ttl 0', yaml: text(plus('records:', '  - { name: www.example.com, type: CNAME, value: example.net., ttl: 0 }')), expected: [[15, 69, 'records.0.ttl', 'a TTL in seconds, a whole number 1..86400']] },
  { fault: 'weight over 255', yaml: text(replace(13, '      - { name: relay1.example.com, address: 192.0.2.20, weight: 256 }')), expected: [[13, 66, 'pools.1.hosts.0.weight', 'a weight, a whole number 0..255 (got the number 256)']] },
  { fault: 'weight negative', yaml: text(replace(13, '      - { name: relay1.example.com, address: 192.0.2.20, weight: -1 }')), expected: [[13, 66, 'pools.1.hosts.0.weight', '0..255 (got the number -1)']] },
  { fault: 'SPF all is +all', yaml: text(plus('auth:', '  spf: { all: "+all" }')), expected: [[15, 15, 'auth.spf.all', '-all, ~all or ?all (+all would authorise every address']] },
  { fault: 'DMARC p misspelt', yaml: text(plus('auth:', '  dmarc: { p: rejected }')), expected: [[15, 15, 'auth.dmarc.p', 'none, quarantine or reject (got the string "rejected")']] },
  { fault: 'DMARC without p', yaml: text(plus('auth:', '  dmarc: { rua: ["mailto:d@example.com"] }')), expected: [[15, 10, 'auth.dmarc.p', 'none, quarantine or reject (the key is missing)']] },
  { fault: 'duplicate pool name', yaml: text(replace(9, '  - name: inbound')), expected: [[9, 11, 'pools.1.name', 'a pool name used once ("inbound" is already pools.0)']] },
  { fault: 'minHealthy above the number of hosts', yaml: text(plus('    minHealthy: 2')), expected: [[14, 17, 'pools.1.minHealthy', 'at most the number of hosts in the pool (1)']] },
  { fault: 'pool hostname is also a host name', yaml: text(replace(11, '    hostname: relay1.example.com')), expected: [[11, 15, 'pools.1.hostname', 'not also a host\'s name']] },
  { fault: 'static MX target with the zone name but no trailing dot', yaml: text(plus('records:', '  - { name: lists.example.com, type: MX, value: 10 mx9.example.com }')), expected: [[15, 49, 'records.0.value', 'mx9.example.com. with a trailing dot']] },
  { fault: 'static CNAME target with the zone name but no trailing dot', yaml: text(plus('records:', '  - { name: www.example.com, type: CNAME, value: web.example.com }')), expected: [[15, 50, 'records.0.value', 'would become web.example.com.example.com']] },
  { fault: 'static record outside the zone', yaml: text(plus('records:', '  - { name: www.example.net, type: CNAME, value: example.org. }')), expected: [[15, 13, 'records.0.name', 'a name inside zone example.com']] },
  { fault: 'static CNAME at the apex', yaml: text(plus('records:', '  - { name: example.com, type: CNAME, value: example.org. }')), expected: [[15, 32, 'records.0.type', 'no CNAME at the zone apex']] },
  { fault: 'static A record on a pool name', yaml: text(plus('records:', '  - { name: smtp.example.com, type: A, value: 192.0.2.99 }')), expected: [[15, 13, 'records.0.name', 'a name mxpool does not manage']] },
  { fault: 'DKIM selector given twice', yaml: text(plus('auth:', '  dkim:', '    - { selector: s1, key: "v=DKIM1; p=AAA" }', '    - { selector: S1, key: "v=DKIM1; p=BBB" }')), expected: [[17, 19, 'auth.dkim.1.selector', 'a selector used once']] },
  { fault: 'HTTP API open beyond loopback without a token', yaml: text(plus('http: { listen: "0.0.0.0:8053" }')), expected: [[14, 17, 'http.listen', 'a loopback address such as 127.0.0.1:8053, or set http.tokenEnv']] },
  // --- several faults at once: every one reported, in file order
  {
    fault: 'several faults in one file',
    yaml: text(
      plus('ttl: 0', 'probe: { interval: 1s, timeout: 3s, rise: 0 }', 'auth: { spf: { all: "+all" }, dmarc: { p: maybe } }').map((line, i) =>
        i === 7 ? '      - { name: mx1.example.com, address: 192.0.2.10, weight: "heavy" }' : line,
      ),
    ),
    expected: [
      [8, 17, 'pools.0.hosts.1.name', 'a host name used once'],
      [8, 43, 'pools.0.hosts.1.address', 'an address used once per pool'],
      [8, 63, 'pools.0.hosts.1.weight', 'a weight, a whole number 0..255 (got the string "heavy")'],
      [14, 6, 'ttl', 'a TTL in seconds'],
      [15, 33, 'probe.timeout', 'shorter than probe.interval'],
      [15, 43, 'probe.rise', 'a whole number >= 1'],
      [16, 21, 'auth.spf.all', '-all, ~all or ?all'],
      [16, 43, 'auth.dmarc.p', 'none, quarantine or reject'],
    ],
  },
];

function problemsOf(yaml: string): string[] {
  try {
    parseConfig(yaml, 'bad.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n');
  }
  throw new Error('the config was accepted');
}

describe('bad config input', () => {
  it('has at least 25 cases, each with a distinct name', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(cases.map((c) => c.fault)).size).toBe(cases.length);
    expect(() => parseConfig(text(BASE), 'base.yaml')).not.toThrow();
  });

  it.each(cases)('$fault', ({ yaml, expected }) => {
    const lines = problemsOf(yaml);
    expect(lines, lines.join('\n')).toHaveLength(expected.length);
    // a value written under a key that names a secret's variable is never echoed
    expect(lines.join('\n')).not.toMatch(/Zx81kLmQ2vR7tYp4WnB6sD9fG3hJ5|my-token-1/);
    expected.forEach(([line, col, path, fragment], i) => {
      const prefix = `bad.yaml:${line}:${col}: ${path || '(document)'}: `;
      expect(lines[i]?.startsWith(prefix), `line ${i}: "${lines[i]}" should start with "${prefix}"`).toBe(true);
      expect(lines[i]).toContain(fragment);
    });
  });
});

describe('config files that cannot be read', () => {
  const dir = tempDir('mxpool-config-');

  const messageOf = (file: string) => {
    try {
      loadConfig(file);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(1);
      return (error as ConfigError).message;
    }
    throw new Error('accepted');
  };

  it('a file that does not exist', () => {
    const file = join(dir, 'missing.yaml');
    expect(messageOf(file)).toBe(`${file}:1:1: (document): a readable YAML config file (the file does not exist)`);
  });

  it('a directory', () => {
    expect(messageOf(dir)).toBe(`${dir}:1:1: (document): a readable YAML config file (this is a directory)`);
  });

  it('a path through a file, as if it were a directory', () => {
    const file = join(dir, 'plain.yaml');
    writeFileSync(file, text(BASE));
    expect(messageOf(join(file, 'inner.yaml'))).toBe(`${join(file, 'inner.yaml')}:1:1: (document): a readable YAML config file (a part of the path is a file, not a directory)`);
  });

  it('an empty file on disk', () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    expect(messageOf(file)).toBe(`${file}:1:1: (document): a config mapping with at least zone: and pools: (the file is empty)`);
  });
});
