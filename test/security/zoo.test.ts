// The relay security checks against a zoo of real smtp-server relays on 127.17.1.x: each kind of
// broken relay gets its finding, the clean ones get none, no message is ever handed over (DATA), no
// credentials cross the network in clear, and the password appears nowhere in the report even
// when a hostile relay echoes it back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSecurity, type PoolChecks, type SecurityReport } from '../../src/security/check.ts';
import type { ProbeOptions } from '../../src/probe/types.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import { startZooServer, ZOO_PASSWORD, ZOO_USER, type ZooKind, type ZooServer } from '../helpers/smtp/relay-zoo.ts';

let pki: TestPki;
const zoo = new Map<ZooKind, ZooServer>();
const KINDS: ZooKind[] = ['open', 'closed', 'own-domain', 'auth-before-starttls', 'auth-any-password', 'auth-right', 'auth-echo', 'no-starttls', 'auth-login'];

beforeAll(async () => {
  pki = makeTestPki();
  let n = 10;
  for (const kind of KINDS) zoo.set(kind, await startZooServer(kind, `127.17.1.${n++}`, pki.leaf(`${kind}.zoo.test`)));
});

afterAll(async () => {
  await Promise.all([...zoo.values()].map((server) => server.close()));
  pki?.cleanup();
});

// a timeout a loaded machine does not trip: every check here must run to its end
const probe = (): ProbeOptions => ({ timeoutMs: 20_000, helo: 'probe.example.com', starttls: 'optional', certMinDays: 7, verifyCert: true, ca: pki.ca });

function checks(settings: Partial<PoolChecks['settings']>, withCredentials = false, password = ZOO_PASSWORD): PoolChecks {
  const pool: PoolChecks = {
    pool: 'relays',
    settings: { openRelay: false, relayTestDomain: 'relay-test.invalid', authAfterStarttls: false, onFinding: 'report', interval: 600_000, ...settings },
    localSender: 'postmaster@example.com',
  };
  if (withCredentials) pool.credentials = { username: ZOO_USER, password };
  return pool;
}

async function check(kind: ZooKind, pool: PoolChecks): Promise<SecurityReport> {
  const server = zoo.get(kind)!;
  return checkSecurity({ name: `${kind}.zoo.test`, address: server.address, port: server.port }, pool, { probe: probe() });
}

const ids = (report: SecurityReport) => report.findings.map((f) => f.id).sort();
const everything = () => checks({ openRelay: true, authAfterStarttls: true }, true);

describe('relay security checks against real smtp-server relays', { timeout: 90_000 }, () => {
  it('an open relay: smtp-open-relay (and relaying without AUTH), RSET after the RCPT, never DATA', async () => {
    const report = await check('open', checks({ openRelay: true, authAfterStarttls: true }));
    expect(report.error).toBeNull();
    expect(ids(report)).toEqual(['smtp-open-relay', 'smtp-relay-without-auth']);
    expect(report.findings.find((f) => f.id === 'smtp-open-relay')!.message).toBe(
      'MAIL FROM:<relay-test@relay-test.invalid> then RCPT TO:<relay-test@relay-test.invalid> accepted (250 Accepted) without AUTH: it relays for anyone (mxpool sent RSET, never DATA)',
    );
    // the whole conversation after EHLO (STARTTLS ran first: the zoo offers it)
    expect(report.transcript).toEqual([
      'C: MAIL FROM:<relay-test@relay-test.invalid>', 'S: 250 Accepted',
      'C: RCPT TO:<relay-test@relay-test.invalid>', 'S: 250 Accepted',
      'C: RSET', 'S: 250 Flushed',
      'C: MAIL FROM:<postmaster@example.com>', 'S: 250 Accepted',
      'C: RCPT TO:<relay-test@relay-test.invalid>', 'S: 250 Accepted',
      'C: RSET', 'S: 250 Flushed',
    ]);
    expect(zoo.get('open')!.record.accepted).toContain('relay-test@relay-test.invalid');
  });

  it('a closed relay and a relay that wants AUTH first: no finding, and each check says what it saw', async () => {
    const closed = await check('closed', checks({ openRelay: true, authAfterStarttls: true }));
    expect(closed).toMatchObject({ error: null, findings: [] });
    expect(closed.notes).toEqual([
      'open relay: MAIL FROM:<relay-test@relay-test.invalid> then RCPT TO:<relay-test@relay-test.invalid> refused (554 5.7.1 Relay access denied)',
      'relay without AUTH: MAIL FROM:<postmaster@example.com> then RCPT TO:<relay-test@relay-test.invalid> refused (554 5.7.1 Relay access denied)',
      'AUTH before STARTTLS: not offered',
    ]);
    const right = await check('auth-right', everything());
    expect(right).toMatchObject({ error: null, findings: [] });
    expect(right.notes).toEqual([
      'open relay: MAIL FROM:<relay-test@relay-test.invalid> refused (530 Error: authentication Required)',
      'relay without AUTH: MAIL FROM:<postmaster@example.com> refused (530 Error: authentication Required)',
      'AUTH before STARTTLS: not offered',
      'AUTH PLAIN with the configured user and a wrong password: refused (535 5.7.8 Authentication credentials invalid)',
      'AUTH PLAIN with the configured credentials: accepted (235 Authentication successful)',
    ]);
  });

  it('a relay that trusts its own sender domain: smtp-relay-without-auth only', async () => {
    const report = await check('own-domain', checks({ openRelay: true, authAfterStarttls: true }));
    expect(ids(report)).toEqual(['smtp-relay-without-auth']);
  });

  it('AUTH offered before STARTTLS: smtp-auth-before-starttls, and the credentials still go only over TLS', async () => {
    const report = await check('auth-before-starttls', everything());
    expect(ids(report)).toEqual(['smtp-auth-before-starttls']);
    expect(report.findings[0]!.message).toBe('AUTH PLAIN LOGIN offered in the EHLO before STARTTLS: a client may send its password before the session is encrypted');
    expect(zoo.get('auth-before-starttls')!.record.authInClear).toBe(0);
    expect(zoo.get('auth-before-starttls')!.record.auths.map((a) => a.secure)).toEqual([true, true]);
  });

  it('a relay that accepts any password: smtp-auth-accepts-bad-credentials; the wrong password is random per check', async () => {
    const first = await check('auth-any-password', checks({}, true));
    const second = await check('auth-any-password', checks({}, true));
    expect(ids(first)).toEqual(['smtp-auth-accepts-bad-credentials']);
    expect(first.notes.at(-1)).toBe('AUTH: the wrong password was accepted, so the session is already authenticated');
    const wrong = zoo.get('auth-any-password')!.record.auths.map((a) => a.password ?? '');
    expect(wrong).toHaveLength(2);
    for (const password of wrong) expect(password).toMatch(/^mxpool-deliberately-wrong-[0-9a-f]{24}$/);
    expect(wrong[0]).not.toBe(wrong[1]);
    expect(first.transcript).toContain('C: [username and wrong password]');
  });

  it('the right credentials refused: smtp-auth-failed', async () => {
    const report = await check('auth-right', checks({}, true, 'not-the-password'));
    expect(ids(report)).toEqual(['smtp-auth-failed']);
    expect(report.findings[0]!.message).toBe('AUTH PLAIN with the configured credentials was refused (535 5.7.8 Authentication credentials invalid)');
  });

  it('AUTH LOGIN only: the same tests over LOGIN (user and password each their own line, never shown)', async () => {
    const right = await check('auth-login', everything());
    expect(right).toMatchObject({ error: null, findings: [] });
    expect(right.notes.slice(-2)).toEqual([
      'AUTH LOGIN with the configured user and a wrong password: refused (535 5.7.8 Authentication credentials invalid)',
      'AUTH LOGIN with the configured credentials: accepted (235 Authentication successful)',
    ]);
    const sent = right.transcript.filter((line) => line.startsWith('C: '));
    expect(sent.slice(-6)).toEqual(['C: AUTH LOGIN', 'C: [username]', 'C: [wrong password]', 'C: AUTH LOGIN', 'C: [username]', 'C: [password]']);
    const auths = zoo.get('auth-login')!.record.auths;
    expect(auths.map((a) => [a.username, a.password === ZOO_PASSWORD, a.secure])).toEqual([[ZOO_USER, false, true], [ZOO_USER, true, true]]);
    const refused = await check('auth-login', checks({}, true, 'not-the-password'));
    expect(refused.findings.map((f) => [f.id, f.message])).toEqual([['smtp-auth-failed', 'AUTH LOGIN with the configured credentials was refused (535 5.7.8 Authentication credentials invalid)']]);
    expect(JSON.stringify([right, refused])).not.toContain(Buffer.from(ZOO_PASSWORD).toString('base64'));
  });

  it('no STARTTLS: smtp-starttls-missing and AUTH in clear; the credentials are never sent', async () => {
    const report = await check('no-starttls', everything());
    expect(ids(report)).toEqual(['smtp-auth-before-starttls', 'smtp-starttls-missing']);
    expect(report.findings.find((f) => f.id === 'smtp-auth-before-starttls')!.message).toContain('on a session without TLS');
    expect(report.notes.at(-1)).toBe('AUTH: no STARTTLS, and credentials are never sent in clear');
    expect(zoo.get('no-starttls')!.record.auths).toEqual([]);
  });

  it('a hostile relay that echoes the password: the report never holds it, in any form', async () => {
    const report = await check('auth-echo', checks({}, true, 'Echo-Secret-123'));
    const text = JSON.stringify(report);
    expect(text).toContain('[secret]');
    for (const form of ['Echo-Secret-123', Buffer.from('Echo-Secret-123').toString('base64'), Buffer.from(`\0${ZOO_USER}\0Echo-Secret-123`).toString('base64')]) expect(text).not.toContain(form);
    expect(text).not.toMatch(/mxpool-deliberately-wrong-[0-9a-f]{24}/);
    expect(ids(report)).toEqual(['smtp-auth-failed']);
  });

  it('a host that is down: an error, no findings', async () => {
    const report = await checkSecurity({ name: 'gone.zoo.test', address: '127.17.1.99', port: zoo.get('open')!.port }, checks({ openRelay: true }), { probe: probe() });
    expect(report).toMatchObject({ error: 'connect: connection refused', findings: [], notes: [] });
  });

  it('no zoo member was ever sent DATA', () => {
    for (const server of zoo.values()) expect(server.record.dataReceived, server.kind).toBe(false);
  });
});
