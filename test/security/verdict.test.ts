// PURE: what a security session observed -> findings, as a table; and the health holds they cause.
import { describe, expect, it } from 'vitest';
import { authMechanisms, emptyObservation, scrub, type Observation } from '../../src/security/dialogue.ts';
import { securityVerdict, type CheckedFor } from '../../src/security/verdict.ts';
import { initialHealth, nextHealth, withhold, type HostHealthState } from '../../src/probe/health.ts';

const reply = (code: number, text = '') => ({ code, text });
const relay = (rcpt: number | null, mail = 250) => ({ sender: 's@x.invalid', recipient: 'relay-test@relay-test.invalid', mail: reply(mail), rcpt: rcpt === null ? null : reply(rcpt) });
const seen = (fields: Partial<Observation>): Observation => ({ ...emptyObservation(), tls: true, ...fields });
const all: CheckedFor = { openRelay: true, authAfterStarttls: true, auth: true };
const ids = (observation: Observation, checked: CheckedFor = all) => securityVerdict(observation, checked).findings.map((f) => f.id);

describe('securityVerdict', () => {
  it.each<[string, Observation, CheckedFor, string[]]>([
    ['RCPT 250 for a foreign recipient: open relay', seen({ foreign: relay(250) }), all, ['smtp-open-relay']],
    ['RCPT 251 (will forward) is acceptance too', seen({ foreign: relay(251) }), all, ['smtp-open-relay']],
    ['RCPT 554: closed', seen({ foreign: relay(554) }), all, []],
    ['RCPT 454 (Postfix defer_unauth_destination): closed', seen({ foreign: relay(454) }), all, []],
    ['MAIL FROM 530 (AUTH first): closed, no RCPT sent', seen({ foreign: relay(null, 530) }), all, []],
    ['own-domain sender relayed: relay without AUTH', seen({ foreign: relay(554), local: relay(250) }), all, ['smtp-relay-without-auth']],
    ['openRelay not asked for: its observation is not judged', seen({ foreign: relay(250) }), { ...all, openRelay: false }, []],
    ['AUTH in the first EHLO, then TLS: before STARTTLS', seen({ authInClear: ['PLAIN', 'LOGIN'] }), all, ['smtp-auth-before-starttls']],
    ['AUTH in clear, not asked for (authAfterStarttls off)', seen({ authInClear: ['PLAIN'] }), { ...all, authAfterStarttls: false }, []],
    ['no TLS, AUTH configured: STARTTLS missing', seen({ tls: false, authSkipped: 'no STARTTLS, and credentials are never sent in clear' }), { ...all, authAfterStarttls: false }, ['smtp-starttls-missing']],
    ['no TLS, nothing about AUTH asked: not a finding', seen({ tls: false, foreign: relay(554) }), { openRelay: true, authAfterStarttls: false, auth: false }, []],
    ['wrong password 235: accepts bad credentials', seen({ authOverTls: ['PLAIN'], wrong: { mechanism: 'PLAIN', reply: reply(235) }, authSkipped: 'the wrong password was accepted' }), all, ['smtp-auth-accepts-bad-credentials']],
    ['wrong 535, right 235: clean', seen({ authOverTls: ['PLAIN'], wrong: { mechanism: 'PLAIN', reply: reply(535) }, right: { mechanism: 'PLAIN', reply: reply(235) } }), all, []],
    ['wrong 454 (temporary), right 235: clean (454 is not acceptance)', seen({ authOverTls: ['LOGIN'], wrong: { mechanism: 'LOGIN', reply: reply(454) }, right: { mechanism: 'LOGIN', reply: reply(235) } }), all, []],
    ['right 535: auth failed', seen({ authOverTls: ['PLAIN'], wrong: { mechanism: 'PLAIN', reply: reply(535) }, right: { mechanism: 'PLAIN', reply: reply(535) } }), all, ['smtp-auth-failed']],
    ['TLS but no AUTH after it: auth failed (clients cannot log in)', seen({ authSkipped: 'AUTH is not offered after STARTTLS' }), all, ['smtp-auth-failed']],
    ['only CRAM-MD5 offered: not checked, not a finding', seen({ authOverTls: ['CRAM-MD5'], authSkipped: 'the relay offers AUTH CRAM-MD5; mxpool speaks PLAIN and LOGIN' }), all, []],
    ['untrusted certificate (verifyCert: false): credentials not sent, not a finding', seen({ certProblem: 'certificate not trusted', authSkipped: 'the certificate is not verified' }), all, []],
  ])('%s', (_name, observation, checked, expected) => {
    expect(ids(observation, checked)).toEqual(expected);
  });

  it('says what each check saw, clean or not', () => {
    const verdict = securityVerdict(seen({ foreign: relay(554), local: relay(null, 530), wrong: { mechanism: 'PLAIN', reply: reply(535, '5.7.8 no') }, right: { mechanism: 'PLAIN', reply: reply(235, 'ok') } }), all);
    expect(verdict.notes).toEqual([
      'open relay: MAIL FROM:<s@x.invalid> then RCPT TO:<relay-test@relay-test.invalid> refused (554)',
      'relay without AUTH: MAIL FROM:<s@x.invalid> refused (530)',
      'AUTH before STARTTLS: not offered',
      'AUTH PLAIN with the configured user and a wrong password: refused (535 5.7.8 no)',
      'AUTH PLAIN with the configured credentials: accepted (235 ok)',
    ]);
  });
});

describe('authMechanisms and scrub', () => {
  it.each([
    [['PIPELINING', 'AUTH PLAIN LOGIN', 'STARTTLS'], ['PLAIN', 'LOGIN']],
    [['AUTH=LOGIN PLAIN'], ['LOGIN', 'PLAIN']],
    [['AUTH CRAM-MD5', 'AUTH=LOGIN'], ['CRAM-MD5', 'LOGIN']],
    [['AUTHX', 'SIZE 100'], []],
  ])('%j -> %j', (extensions, mechanisms) => {
    expect(authMechanisms(extensions)).toEqual(mechanisms);
  });
  it('replaces every secret form', () => {
    expect(scrub('bad pw hunter22 and aHVudGVyMjI=', ['aHVudGVyMjI=', 'hunter22'])).toBe('bad pw [secret] and [secret]');
  });
});

describe('withhold: checks beside the probe hold a host out of DNS', () => {
  const host = { name: 'relay1.example.com' };
  const ok = { ok: true };
  const rules = { rise: 2, fall: 3 };
  const up = (): HostHealthState => initialHealth(host, 'relays', 0, { host: host.name, pool: 'relays', state: 'healthy', since: 0 });

  it('out at once; passing probes do not count while held; back after rise probes once lifted', () => {
    let state = withhold(up(), 'dnsbl', 'dnsbl: listed on bl.example', 10);
    expect(state).toMatchObject({ state: 'unhealthy', since: 10, withheld: { dnsbl: 'dnsbl: listed on bl.example' } });
    for (let i = 0; i < 5; i++) state = nextHealth(state, ok, rules, 20 + i);
    expect(state).toMatchObject({ state: 'unhealthy', successes: 0 });
    state = withhold(state, 'dnsbl', undefined, 30);
    expect(state.withheld).toBeUndefined();
    expect(state.state).toBe('unhealthy'); // lifting alone does not publish it
    state = nextHealth(state, ok, rules, 31);
    expect(state.state).toBe('unhealthy');
    state = nextHealth(state, ok, rules, 32);
    expect(state).toMatchObject({ state: 'healthy', since: 32 });
  });

  it('two holds: both must be lifted; the same hold twice is a no-op', () => {
    let state = withhold(up(), 'security', 'security: smtp-open-relay', 1);
    expect(withhold(state, 'security', 'security: smtp-open-relay', 2)).toBe(state);
    state = withhold(state, 'dnsbl', 'dnsbl: listed', 3);
    state = withhold(state, 'security', undefined, 4);
    expect(state.withheld).toEqual({ dnsbl: 'dnsbl: listed' });
    for (let i = 0; i < 3; i++) state = nextHealth(state, ok, rules, 5 + i);
    expect(state.state).toBe('unhealthy');
    expect(withhold(up(), 'dnsbl', undefined, 1)).toEqual(up()); // lifting a hold that is not there
  });

  it('a drained or disabled host stays drained/disabled under a hold', () => {
    const drained = { ...up(), drained: true, state: 'draining' as const };
    expect(withhold(drained, 'dnsbl', 'listed', 1).state).toBe('draining');
  });
});
