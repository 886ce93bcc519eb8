// What a valid config turns into: defaults filled in, durations in milliseconds, names normalised,
// IPv6 canonical, and the whole result frozen.
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { parseDuration, formatDuration } from '../../src/config/duration.ts';
import { parseHostPort, type Config } from '../../src/config/schema.ts';

const minimal = (extra = '') => `zone: example.com
pools:
  - name: outbound
    role: outbound
    hosts:
      - { name: relay1.example.com, address: 192.0.2.20 }
${extra}`;

describe('loadConfig on the example', () => {
  it('accepts config/mxpool.example.yaml', () => {
    const config = loadConfig('config/mxpool.example.yaml');
    expect(config.zone).toBe('example.com');
    expect(config.pools.map((pool) => pool.name)).toEqual(['inbound', 'outbound']);
    expect(config.pools.flatMap((pool) => pool.hosts.map((host) => host.address))).toEqual(['127.0.0.11', '127.0.0.12', '127.0.0.13']);
  });
});

describe('defaults', () => {
  const config: Config = parseConfig(minimal());

  it('fills the top level', () => {
    expect(config.ttl).toBe(30);
    expect(config.stateDir).toBe('./.mxpool');
    expect(config.records).toEqual([]);
    expect(config.nameserver).toBeUndefined();
    expect(config.providers).toBeUndefined();
    expect(config.http).toBeUndefined();
    expect(config.audit).toEqual({ interval: 600_000 });
    expect(config.auth).toEqual({ dkim: [] });
  });

  it('fills pools and hosts', () => {
    const pool = config.pools[0]!;
    expect(pool.whenAllDown).toBe('all');
    expect(pool.minHealthy).toBe(1);
    expect(pool.hosts[0]).toEqual({ name: 'relay1.example.com', address: '192.0.2.20', port: 25, weight: 1, disabled: false });
  });

  it('fills probe; helo stays unset (the probe picks the machine\'s FQDN, else mxpool.<zone>)', () => {
    expect(config.probe).toEqual({
      interval: 5000, timeout: 3000, jitter: 0.1, rise: 2, fall: 2, starttls: 'optional',
      certMinDays: 7, hold: true, verifyCert: true, concurrency: 64,
    });
  });

  it('keeps an explicit helo', () => {
    expect(parseConfig(minimal('probe: { helo: Probe.Example.NET. }')).probe.helo).toBe('probe.example.net');
  });

  it('fills nameserver, providers and http sub-keys', () => {
    const full = parseConfig(minimal(`nameserver:
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
providers:
  route53: { hostedZoneId: Z123 }
  cloudflare: { zoneId: abc123 }
http: {}
`));
    expect(full.nameserver).toEqual({
      listen: ['127.0.0.1:5353'], ns: ['ns1.example.com'], workers: 1, tsig: [], transfer: { allow: [], notify: [] }, journal: { maxVersions: 100, maxBytes: 1048576 },
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', refresh: 3600, retry: 600, expire: 604800, minimum: 60 },
    });
    expect(full.providers).toEqual({
      ownerId: 'mxpool', maxDeletePercent: 30,
      route53: { hostedZoneId: 'Z123', schedule: '*/1 * * * *', region: 'us-east-1', waitForSync: false },
      cloudflare: { zoneId: 'abc123', tokenEnv: 'CLOUDFLARE_API_TOKEN', schedule: '*/1 * * * *' },
    });
    expect(full.http).toEqual({ listen: '127.0.0.1:8053', hosts: [] });
  });
});

describe('values', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1.5s', 1500],
  ])('duration %s is %i ms', (text, ms) => {
    const config = parseConfig(minimal(`probe: { interval: ${text}, timeout: 1ms }`));
    expect(config.probe.interval).toBe(ms);
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each(['0s', '-1s', '5', '5 sec', '', 's', '1w'])('rejects duration %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('accepts IPv6 hosts and listen addresses, stored in canonical form', () => {
    const config = parseConfig(`zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: "2001:DB8:0:0::10" }
      - { name: mx2.example.com, address: "::1" }
      - { name: mx3.example.com, address: 192.0.2.10 }
nameserver:
  listen: ["[::1]:5353", "127.0.0.1:5353"]
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
  transfer: { allow: ["::1", 127.0.0.1] }
`);
    expect(config.pools[0]!.hosts.map((host) => host.address)).toEqual(['2001:db8::10', '::1', '192.0.2.10']);
    expect(config.pools[0]!.mx).toEqual({ name: 'example.com', preference: 10 });
    expect(config.nameserver!.listen).toEqual(['[::1]:5353', '127.0.0.1:5353']);
  });

  it.each(['127.0.0.1:8053', '127.9.9.9:80', '[::1]:8053', 'localhost:8053'])('http.listen %s needs no token (loopback)', (listen) => {
    expect(parseConfig(minimal(`http: { listen: "${listen}" }`)).http?.listen).toBe(listen);
  });

  it('http.listen beyond loopback is fine with a token variable', () => {
    expect(parseConfig(minimal('http: { listen: "0.0.0.0:8053", tokenEnv: MXPOOL_TOKEN }')).http).toEqual({ listen: '0.0.0.0:8053', tokenEnv: 'MXPOOL_TOKEN', hosts: [] });
  });

  it('http.hosts: DNS names, stored lower-case; anything else names the file position', () => {
    expect(parseConfig(minimal('http: { listen: "127.0.0.1:8053", hosts: [MXPOOL.example.com., localhost] }')).http?.hosts).toEqual(['mxpool.example.com', 'localhost']);
    expect(() => parseConfig(minimal('http: { listen: "127.0.0.1:8053", hosts: ["bad name"] }'), 'h.yaml')).toThrow(/h\.yaml:\d+:\d+: http\.hosts\.0: a DNS name/);
  });

  it('stores DNS names lower-case without the trailing dot', () => {
    const config = parseConfig(minimal().replace('zone: example.com', 'zone: Example.COM.').replace('relay1.example.com', 'RELAY1.example.com.'));
    expect(config.zone).toBe('example.com');
    expect(config.pools[0]!.hosts[0]!.name).toBe('relay1.example.com');
  });

  it.each([
    ['127.0.0.1:5353', { host: '127.0.0.1', port: 5353 }],
    ['[::1]:53', { host: '::1', port: 53 }],
    ['localhost:8053', { host: 'localhost', port: 8053 }],
    ['127.0.0.1', undefined],
    ['127.0.0.1:0', undefined],
    ['127.0.0.1:65536', undefined],
    ['::1:53', undefined],
    ['[localhost]:53', undefined],
  ])('parseHostPort(%j)', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });
});

describe('YAML conveniences', () => {
  it('takes anchors, aliases and << merge keys to share host settings', () => {
    const config = parseConfig(`zone: example.com
pools:
  - name: outbound
    role: outbound
    hosts:
      - &relay { name: relay1.example.com, address: 192.0.2.1, port: 587, weight: 3 }
      - { <<: *relay, name: relay2.example.com, address: 192.0.2.2 }
`);
    expect(config.pools[0]!.hosts[1]).toEqual({ name: 'relay2.example.com', address: '192.0.2.2', port: 587, weight: 3, disabled: false });
  });

  it('reads a file with a byte-order mark and CRLF line ends, positions intact', () => {
    const text = `\uFEFF${minimal('ttl: 0')}`.replace(/\n/g, '\r\n');
    expect(() => parseConfig(text, 'c.yaml')).toThrow(/^c\.yaml:7:6: ttl: /);
  });
});

describe('the result is frozen', () => {
  it('cannot be changed at any depth', () => {
    const config = parseConfig(minimal());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.pools)).toBe(true);
    expect(Object.isFrozen(config.pools[0]!.hosts[0])).toBe(true);
    expect(Object.isFrozen(config.probe)).toBe(true);
    expect(() => {
      (config.pools[0]!.hosts[0] as { weight: number }).weight = 9;
    }).toThrow(TypeError);
    expect(() => {
      (config.pools as unknown as unknown[]).push({});
    }).toThrow(TypeError);
  });
});
