// pools[].security and dnsbl in the config: defaults, and the mistakes validate names at their line.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

const config = (security: string, extra = '') => `zone: example.com
pools:
  - name: relays
    role: outbound
    hosts:
      - { name: relay1.example.com, address: 192.0.2.20 }
${security}
  - name: inbound
    role: inbound
    mx: { name: mail.example.com }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.10 }
${extra}`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'm.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('pools[].security', () => {
  it('defaults: relay-test.invalid, report, every 10 minutes; absent means no checks', () => {
    const parsed = parseConfig(config('    security: { openRelay: true }'));
    expect(parsed.pools[0]!.security).toEqual({ openRelay: true, relayTestDomain: 'relay-test.invalid', authAfterStarttls: false, onFinding: 'report', interval: 600_000 });
    expect(parsed.pools[1]!.security).toBeUndefined();
    expect(parseConfig(config('    security: { auth: { usernameEnv: RELAY_USER, passwordEnv: RELAY_PASSWORD }, onFinding: withdraw, interval: 30s }')).pools[0]!.security).toMatchObject({ auth: { usernameEnv: 'RELAY_USER', passwordEnv: 'RELAY_PASSWORD' }, onFinding: 'withdraw', interval: 30_000 });
  });

  it.each([
    ['a relay test domain inside the zone', '    security: { openRelay: true, relayTestDomain: test.example.com }', 'm.yaml:7:51: pools.0.security.relayTestDomain: a domain your hosts do not serve, such as relay-test.invalid (test.example.com lies inside example.com, which they receive mail for)'],
    ['the zone itself', '    security: { openRelay: true, relayTestDomain: EXAMPLE.com. }', 'm.yaml:7:51: pools.0.security.relayTestDomain: a domain your hosts do not serve, such as relay-test.invalid (example.com is example.com, which they receive mail for)'],
    ['a parent of the zone', '    security: { openRelay: true, relayTestDomain: com }', 'm.yaml:7:51: pools.0.security.relayTestDomain: a domain your hosts do not serve, such as relay-test.invalid (com holds example.com, which they receive mail for)'],
    ['a tenant\'s zone (its MX names the inbound hosts)', "    security: { openRelay: true, relayTestDomain: customer1.test }", 'm.yaml:7:51: pools.0.security.relayTestDomain: a domain your hosts do not serve, such as relay-test.invalid (customer1.test is customer1.test, which they receive mail for)', 'tenants: [{ zone: customer1.test, mx: [{ pool: inbound }] }]'],
    ['nothing to check', '    security: { onFinding: withdraw }', 'm.yaml:7:15: pools.0.security: at least one check: openRelay: true, authAfterStarttls: true or auth: { usernameEnv, passwordEnv } (nothing would be checked)'],
    ['a password where its variable\'s name belongs', '    security: { auth: { usernameEnv: U, passwordEnv: Xk9fQ2mPz7LwR4tYb8NcV3hJ } }', 'm.yaml:7:54: pools.0.security.auth.passwordEnv: the name of an environment variable such as MXPOOL_TOKEN (the secret itself stays out of the file); this looks like a token itself: move it into an environment variable and write that variable\'s name here'],
    ['a wrong onFinding', '    security: { openRelay: true, onFinding: drop }', 'm.yaml:7:45: pools.0.security.onFinding: report or withdraw (got the string "drop")'],
  ])('%s', (_name, security, message, extra = '') => {
    expect(problems(config(security, extra))).toEqual([message]);
  });

  it('the secret itself is never repeated in the message', () => {
    expect(problems(config('    security: { auth: { usernameEnv: U, passwordEnv: Xk9fQ2mPz7LwR4tYb8NcV3hJ } }')).join('\n')).not.toContain('Xk9fQ2mPz7LwR4tYb8NcV3hJ');
  });
});

describe('dnsbl', () => {
  it('defaults: every 5 minutes, withdraw, 3 s timeout, the system resolver', () => {
    expect(parseConfig(config('', 'dnsbl: { zones: [Zen.Example-BL.test.] }')).dnsbl).toEqual({ zones: ['zen.example-bl.test'], interval: 300_000, action: 'withdraw', timeout: 3000 });
  });

  it.each([
    ['127.0.0.1:53', true],
    ['127.0.0.1', true],
    ['[::1]:5353', true],
    ['::1', true],
    ['resolver.example.net:53', false],
    ['127.0.0.1:99999', false],
  ])('resolver %s', (resolver, ok) => {
    expect(problems(config('', `dnsbl: { zones: [bl.example], resolver: "${resolver}" }`)).length === 0).toBe(ok);
  });

  it('names its mistakes', () => {
    expect(problems(config('', 'dnsbl: { zones: [], action: block }'))).toEqual([
      'm.yaml:13:17: dnsbl.zones: at least one DNSBL zone (got an empty list)',
      'm.yaml:13:29: dnsbl.action: withdraw or report (got the string "block")',
    ]);
  });
});
