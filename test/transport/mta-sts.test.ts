// MTA-STS, pure: the policy text and id mxpool serves, and the reading side the audit uses.
import { describe, expect, it } from 'vitest';
import { coveredBy, mtaStsPolicy, mxMatches, parsePolicy, parseStsRecord, policyId } from '../../src/auth/mta-sts.ts';
import { STS, transportConfig } from './fixtures.ts';

describe('the policy mxpool serves', () => {
  it('names every inbound host and pool hostname, with CRLF lines and max_age in seconds', () => {
    const policy = mtaStsPolicy(transportConfig(STS));
    expect(policy?.text).toBe(
      'version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmx: mx3.example.com\r\nmax_age: 604800\r\n',
    );
    expect(policy?.names).toEqual(['mx.example.com', 'mx1.example.com', 'mx2.example.com', 'mx3.example.com']);
    // relays are not MX hosts
    expect(policy?.text).not.toContain('relay');
    expect(parsePolicy(policy?.text ?? '')).toEqual({ mode: 'enforce', mx: policy?.names, maxAgeSeconds: 604800 });
  });

  it('has an id of 1-32 alphanumerics that changes exactly when the text changes', () => {
    const a = mtaStsPolicy(transportConfig(STS));
    const same = mtaStsPolicy(transportConfig(STS.replace('maxAge: 7d', 'maxAge: 168h')));
    const testing = mtaStsPolicy(transportConfig(STS.replace('mode: enforce', 'mode: testing')));
    expect(a?.id).toMatch(/^[0-9a-f]{32}$/);
    expect(same?.id).toBe(a?.id); // 7d and 168h are the same text
    expect(testing?.id).not.toBe(a?.id);
    expect(policyId(a?.text ?? '')).toBe(a?.id);
    // a host added to the config changes the text and so the id
    const more = transportConfig(STS.replace('mode: enforce', 'mode: enforce'));
    const withHost = mtaStsPolicy({ ...more, pools: more.pools.map((p) => (p.role === 'inbound' ? { ...p, hosts: [...p.hosts, { name: 'mx4.example.com', address: '192.0.2.14', port: 25, weight: 1, disabled: false }] } : p)) });
    expect(withHost?.id).not.toBe(a?.id);
  });

  it('is absent without auth.mtaSts', () => {
    expect(mtaStsPolicy(transportConfig(''))).toBeUndefined();
  });
});

describe('reading policies and records', () => {
  it.each([
    ['v=STSv1; id=20260101T000000', { id: '20260101T000000' }],
    ['v=STSv1;id=abc;', { id: 'abc' }],
    ['v=STSv1; id=abc; ext=1', { id: 'abc' }],
    ['v=STSv2; id=abc', { problem: 'does not start with v=STSv1' }],
    ['v=STSv1;', { problem: 'has no id= field' }],
    ['v=STSv1; id=has-dash', { problem: 'id "has-dash" is not 1-32 letters and digits' }],
    [`v=STSv1; id=${'a'.repeat(33)}`, { problem: `id "${'a'.repeat(33)}" is not 1-32 letters and digits` }],
  ])('record %s', (text, expected) => {
    expect(parseStsRecord(text)).toEqual(expected);
  });

  it.each([
    ['version: STSv1\nmode: testing\nmx: MX1.example.com.\nmx: *.example.net\nmax_age: 86400\n', { mode: 'testing', mx: ['mx1.example.com', '*.example.net'], maxAgeSeconds: 86400 }],
    ['version: STSv1\r\nmode: none\r\nmax_age: 0\r\n', { mode: 'none', mx: [], maxAgeSeconds: 0 }],
    ['version: STSv1\nmode: enforce\nmax_age: 86400\n', { problem: 'mode enforce without any mx: line' }],
    ['mode: enforce\nmx: a.example\nmax_age: 1\n', { problem: 'no "version: STSv1" line' }],
    ['version: STSv1\nmode: strict\nmx: a\nmax_age: 1\n', { problem: 'mode is "strict", expected enforce, testing or none' }],
    ['version: STSv1\nmode: enforce\nmx: a\nmax_age: 31557601\n', { problem: 'max_age is "31557601", expected 0..31557600 seconds' }],
    ['<html>not a policy</html>', { problem: 'a line that is not "key: value": "<html>not a policy</html>"' }],
  ])('policy %j', (text, expected) => {
    expect(parsePolicy(text)).toEqual(expected);
  });

  it.each([
    ['mx1.example.com', 'mx1.example.com', true],
    ['MX1.Example.COM.', 'mx1.example.com', true],
    ['mx1.example.com', '*.example.com', true],
    ['a.mx1.example.com', '*.example.com', false], // the wildcard covers one label only (RFC 8461 4.1)
    ['example.com', '*.example.com', false],
    ['mx1.example.org', '*.example.com', false],
    ['mx2.example.com', 'mx1.example.com', false],
  ])('%s against %s: %s', (host, pattern, expected) => {
    expect(mxMatches(host, pattern)).toBe(expected);
    expect(coveredBy(host, ['nothing.example', pattern])).toBe(expected);
  });
});
