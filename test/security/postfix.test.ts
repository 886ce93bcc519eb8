// The relay security checks against a real Postfix (Debian's), once configured as an open relay
// (the classic mistake: mynetworks = 0.0.0.0/0, everyone is "trusted") and once as a closed one
// (default relay restrictions, mynetworks an address nobody uses, so the probe is not trusted).
// Postfix's queue stays empty: nothing was ever handed over. 127.17.2.x.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSecurity, type PoolChecks } from '../../src/security/check.ts';
import { postfixUnavailable, queuedFiles, startPostfix, type PostfixInstance } from '../helpers/smtp/postfix.ts';
import { waitFor } from '../helpers/daemon.ts';

const unavailable = postfixUnavailable();
// nothing leaves the machine: no client name lookups, and the control message is never delivered
const OFFLINE = 'smtpd_peername_lookup = no\ndefer_transports = smtp\nsmtp_dns_support_level = disabled';

describe.skipIf(unavailable !== undefined)(`relay checks against a real Postfix${unavailable ? ` (skipped: ${unavailable})` : ''}`, { timeout: 120_000 }, () => {
  let open: PostfixInstance;
  let closed: PostfixInstance;

  beforeAll(async () => {
    [open, closed] = await Promise.all([
      startPostfix('127.17.2.10', 25, 'open.postfix.test', { mynetworks: '0.0.0.0/0', mainCf: OFFLINE, startTimeoutMs: 45_000 }),
      startPostfix('127.17.2.11', 25, 'closed.postfix.test', { mynetworks: '127.17.255.254/32', mainCf: OFFLINE, startTimeoutMs: 45_000 }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([open?.cleanup(), closed?.cleanup()]);
  });

  const pool: PoolChecks = {
    pool: 'relays',
    settings: { openRelay: true, relayTestDomain: 'relay-test.invalid', authAfterStarttls: true, onFinding: 'report', interval: 600_000 },
    localSender: 'postmaster@example.com',
  };
  const check = (instance: PostfixInstance, name: string) =>
    checkSecurity({ name, address: instance.address, port: instance.port }, pool, { probe: { timeoutMs: 20_000, helo: 'probe.example.com', starttls: 'optional', certMinDays: 7, verifyCert: true, ca: instance.cert } });

  it('mynetworks = 0.0.0.0/0: an open relay', async () => {
    const report = await check(open, 'open.postfix.test');
    expect(report.error).toBeNull();
    expect(report.findings.map((f) => f.id)).toEqual(['smtp-open-relay', 'smtp-relay-without-auth']);
    expect(report.findings[0]!.message).toBe('MAIL FROM:<relay-test@relay-test.invalid> then RCPT TO:<relay-test@relay-test.invalid> accepted (250 2.1.5 Ok) without AUTH: it relays for anyone (mxpool sent RSET, never DATA)');
    expect(report.transcript.filter((line) => line.startsWith('C: '))).toEqual([
      'C: MAIL FROM:<relay-test@relay-test.invalid>', 'C: RCPT TO:<relay-test@relay-test.invalid>', 'C: RSET',
      'C: MAIL FROM:<postmaster@example.com>', 'C: RCPT TO:<relay-test@relay-test.invalid>', 'C: RSET',
    ]);
  });

  it('mynetworks = 127.17.255.254/32 and Postfix\'s default relay restrictions: closed (454 Relay access denied)', async () => {
    const report = await check(closed, 'closed.postfix.test');
    expect(report).toMatchObject({ error: null, findings: [] });
    expect(report.notes[0]).toBe('open relay: MAIL FROM:<relay-test@relay-test.invalid> then RCPT TO:<relay-test@relay-test.invalid> refused (454 4.7.1 <relay-test@relay-test.invalid>: Relay access denied)');
  });

  it('mxpool probe --json shows each Postfix\'s findings (the open one withdrawn)', async () => {
    const dir = tempDir('mxpool-postfix-probe-');
    writeFileSync(join(dir, 'ca.pem'), open.cert + closed.cert);
    writeFileSync(join(dir, 'mxpool.yaml'), `zone: postfix.test
pools:
  - name: relays
    role: outbound
    hosts:
      - { name: open.postfix.test, address: ${open.address}, port: 25 }
      - { name: closed.postfix.test, address: ${closed.address}, port: 25 }
    security: { openRelay: true, authAfterStarttls: true, onFinding: withdraw }
probe: { timeout: 20s, interval: 30s, caFile: ${join(dir, 'ca.pem')} }
`);
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, ['src/cli.ts', 'probe', '--config', join(dir, 'mxpool.yaml'), '--json', '--log-level', 'silent'], { timeout: 110_000 }, (error, out) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out }));
    });
    expect(code).toBe(1);
    const hosts = (JSON.parse(stdout) as { hosts: { host: string; state: string; security: { id: string }[]; withheld: string[] }[] }).hosts;
    expect(hosts.map((h) => [h.host, h.state, h.security.map((f) => f.id), h.withheld])).toEqual([
      ['open.postfix.test', 'unhealthy', ['smtp-open-relay', 'smtp-relay-without-auth'], ['security: smtp-open-relay, smtp-relay-without-auth']],
      ['closed.postfix.test', 'healthy', [], []],
    ]);
  });

  it('the queues hold no message of the checks: a real DATA (the control) is the only message the open relay queued', async () => {
    // A message handed over would stay queued for good (defer_transports = smtp), so waiting for the
    // queues to hold nothing else only waits out the transaction files that RSET aborts.
    await waitFor('the closed relay\'s queue empty', () => queuedFiles(closed).length === 0, 30_000);
    // the control: the same relay, sent a message the way a spammer would, queues it at once
    const replies = await talk(open.address, open.port, ['EHLO control.example.com', 'MAIL FROM:<spam@relay-test.invalid>', 'RCPT TO:<victim@relay-test.invalid>', 'DATA', 'Subject: control\r\n\r\nbody\r\n.', 'QUIT']);
    expect(replies.map((r) => r.slice(0, 3))).toEqual(['220', '250', '250', '250', '354', '250', '221']);
    const id = /queued as ([0-9A-Za-z]+)/.exec(replies[5]!)?.[1];
    expect(id, replies[5]).toBeDefined();
    const names = () => [...new Set(queuedFiles(open).map((file) => basename(file)))];
    // a message the checks had handed over would sit in the queue beside it, whenever it was written
    await waitFor('the control message alone in the open relay\'s queue', () => JSON.stringify(names()) === JSON.stringify([id]), 30_000).catch(() => undefined);
    expect(names()).toEqual([id]);
  });
});

/** A bare SMTP client for the control message: one command at a time, the last line of each reply. */
function talk(host: string, port: number, commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const replies: string[] = [];
    let buffer = '';
    const queue = [...commands];
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no reply; got ${JSON.stringify(replies)}`))), 10_000);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line[3] === '-') continue;
        replies.push(line);
        const next = queue.shift();
        if (next === undefined) {
          clearTimeout(timer);
          socket.end();
          resolve(replies);
        } else {
          socket.write(`${next}\r\n`);
        }
      }
    });
    socket.on('error', (error) => (clearTimeout(timer), reject(error)));
  });
}
