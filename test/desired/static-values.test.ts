// `records:` values are checked at config load with the same parser desired() uses, so `validate`
// reports a bad value as FILE:LINE:COL instead of the record silently missing from the zone.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';

const base = `zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
records:
`;

describe('static record values at config load', () => {
  it.each([
    ['MX', '"ten mx"', /records\.0\.value: MX value "ten mx": expected "PREFERENCE EXCHANGE"/],
    ['A', '"192.0.2.300"', /records\.0\.value: A value "192.0.2.300": expected an IPv4 address/],
    ['SRV', '"1 2 sip"', /records\.0\.value: SRV value .* expected "PRIORITY WEIGHT PORT TARGET"/],
    ['CAA', `'0 is-sue "x"'`, /records\.0\.value: CAA value .*tag "is-sue"/],
  ])('%s %s is refused with its position', (type, value, message) => {
    expect(() => parseConfig(`${base}  - { name: x.example.com, type: ${type}, value: ${value} }\n`, 'c.yaml')).toThrow(message);
    expect(() => parseConfig(`${base}  - { name: x.example.com, type: ${type}, value: ${value} }\n`, 'c.yaml')).toThrow(/c\.yaml:9:\d+:/);
  });

  it('accepts good values of every type', () => {
    const records = [
      ['A', '192.0.2.1'], ['AAAA', '2001:db8::1'], ['CNAME', 'example.net.'], ['MX', '10 mx.example.net.'],
      ['TXT', 'v=verification 123'], ['SRV', '10 5 5060 sip.example.net.'], ['CAA', '0 issue "letsencrypt.org"'],
      ['NS', 'ns.example.net.'], ['PTR', 'host.example.net.'],
    ].map(([type, value], i) => `  - { name: r${i}.example.com, type: ${type}, value: '${value}' }`).join('\n');
    expect(parseConfig(`${base}${records}\n`, 'c.yaml').records).toHaveLength(9);
  });
});
