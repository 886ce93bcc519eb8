// The config of auth.mtaSts, auth.tlsRpt and auth.dane: defaults, and every mistake named with
// FILE:LINE:COL and the key.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { BASE_YAML } from '../desired/fixtures.ts';
import { HEX, STS, transportConfig } from './fixtures.ts';

function problems(auth: string, records = '', replace: [string, string] = ['', '']): string {
  const yaml = BASE_YAML.replace('auth:\n', `auth:\n${auth}`).replace(/^records:\n/m, `records:\n${records}`).replace(replace[0], replace[1]);
  try {
    parseConfig(yaml, 't.yaml');
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('transport security config', () => {
  it('fills the defaults', () => {
    const cfg = transportConfig(`${STS}  dane: {}\n`);
    expect(cfg.auth.mtaSts).toMatchObject({ mode: 'enforce', maxAge: 7 * 86_400_000, address: ['192.0.2.80', '2001:db8::80'] });
    expect(cfg.auth.dane).toEqual({ mode: 'publish', usage: 3, selector: 1, matching: 1, next: {}, onMismatch: 'report', signed: false });
    const one = transportConfig('  mtaSts: { address: 192.0.2.80, https: { certFile: a.pem, keyFile: a.key } }\n');
    expect(one.auth.mtaSts).toMatchObject({ address: ['192.0.2.80'], https: { listen: '0.0.0.0:443' }, maxAge: 604_800_000 });
  });

  it.each([
    ['mode', '  mtaSts: { mode: strict, address: 192.0.2.80, https: { certFile: a, keyFile: b } }\n', /t\.yaml:\d+:\d+: auth\.mtaSts\.mode: enforce, testing or none/],
    ['maxAge over a year', '  mtaSts: { maxAge: 400d, address: 192.0.2.80, https: { certFile: a, keyFile: b } }\n', /auth\.mtaSts\.maxAge: a duration from 1s to 365d/],
    ['address', '  mtaSts: { address: mta-sts.example.com, https: { certFile: a, keyFile: b } }\n', /auth\.mtaSts\.address: an IP address, or a list of them/],
    ['https missing', '  mtaSts: { address: 192.0.2.80 }\n', /auth\.mtaSts\.https: /],
    ['rua', '  tlsRpt: { rua: ["tlsrpt@example.com"] }\n', /auth\.tlsRpt\.rua\.0: a mailto: or https: URI/],
    ['usage', '  dane: { usage: 1 }\n', /auth\.dane\.usage: 3 \(DANE-EE/],
    ['selector', '  dane: { selector: 2 }\n', /auth\.dane\.selector: 1 \(the public key/],
    ['next of a relay', `  dane: { next: { relay1.example.com: ["${HEX('a')}"] } }\n`, /auth\.dane\.next\.relay1\.example\.com: a host of an inbound pool/],
    ['next of the wrong length', `  dane: { matching: 2, next: { mx1.example.com: ["${HEX('a')}"] } }\n`, /auth\.dane\.next\.mx1\.example\.com\.0: a SHA-512 digest of 128 hex digits/],
    ['next not hex', '  dane: { next: { mx1.example.com: ["xyz"] } }\n', /a SHA-256 \(64 hex digits\) or SHA-512/],
  ])('%s', (_name, auth, message) => {
    expect(problems(auth)).toMatch(message);
  });

  it('DANE needs the probe to see certificates', () => {
    expect(problems('  dane: {}\n', '', ['nameserver:', 'probe: { starttls: "off" }\nnameserver:'])).toMatch(/t\.yaml:\d+:\d+: probe\.starttls: optional or required while auth\.dane is set/);
  });

  it('MTA-STS and DANE need an inbound pool', () => {
    const outboundOnly = (auth: string) => `zone: example.com\npools:\n  - { name: out, role: outbound, hosts: [{ name: r1.example.com, address: 192.0.2.1 }] }\nauth:\n${auth}`;
    const check = (auth: string) => { try { parseConfig(outboundOnly(auth), 't.yaml'); return ''; } catch (e) { return (e as Error).message; } };
    expect(check('  mtaSts: { address: 192.0.2.80, https: { certFile: a, keyFile: b } }\n')).toMatch(/auth\.mtaSts: an inbound pool beside it/);
    expect(check('  dane: {}\n')).toMatch(/auth\.dane: an inbound pool beside it/);
  });

  it.each([
    ['A at mta-sts', '  - { name: mta-sts.example.com, type: A, value: 192.0.2.9 }\n', /records\.\d+\.name: a name mxpool does not manage \(it publishes mta-sts\.example\.com/],
    ['TXT at _mta-sts', '  - { name: _mta-sts.example.com, type: TXT, value: "v=STSv1; id=1" }\n', /records\.\d+\.name: a name mxpool does not manage \(it publishes the _mta-sts TXT/],
    ['TXT at _smtp._tls', '  - { name: _smtp._tls.example.com, type: TXT, value: "v=TLSRPTv1; rua=mailto:a@b.c" }\n', /it publishes the TLS-RPT TXT/],
    ['TLSA in publish mode', `  - { name: _25._tcp.mx1.example.com, type: TLSA, value: "3 1 1 ${HEX('a')}" }\n`, /no static TLSA at _25\._tcp\.mx1\.example\.com while auth\.dane\.mode is publish/],
    ['TLSA value', '  - { name: _25._tcp.mx1.example.com, type: TLSA, value: "3 1 1 abc" }\n', /records\.\d+\.value: TLSA value "3 1 1 abc": expected/],
  ])('static %s is refused', (_name, records, message) => {
    expect(problems(`${STS}  dane: {}\n`, records)).toMatch(message);
  });

  it('audit mode takes TLSA under records:', () => {
    expect(problems('  dane: { mode: audit }\n', `  - { name: _25._tcp.mx1.example.com, type: TLSA, value: "3 1 1 ${HEX('a')}" }\n`)).toBe('');
  });
});
