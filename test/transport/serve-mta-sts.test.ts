// MTA-STS and TLS-RPT end to end: `mxpool serve` serves the policy over HTTPS (curl with the test
// CA), publishes mta-sts A, _mta-sts TXT with the id of the text served, and _smtp._tls TXT. A host
// added to the config enters MX only once the policy naming it has been served for one TTL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import { dig, run, serveProcess, startTlsSmtpHost, until, watch, type ServeProcess, type TlsSmtpHost } from './helpers.ts';

const NS = '127.18.2.1';
const POLICY_HOST = '127.18.2.3';
const HOSTS = ['127.18.2.11', '127.18.2.12', '127.18.2.13', '127.18.2.14'];
// long enough that mx3 is healthy well within it, also on a loaded machine: the hold must be seen
const TTL = 10;

let pki: TestPki;
let smtp: TlsSmtpHost[] = [];
let serve: ServeProcess;

let cert: { certFile: string; keyFile: string };

function config(hostCount: number, mode = 'enforce'): Record<string, unknown> {
  return {
    zone: 'example.com',
    ttl: TTL,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.slice(0, hostCount).map((address, i) => ({ name: `mx${i + 1}.example.com`, address, port: 25 })) }],
    // slow probes never take mx1/mx2 down on a loaded machine: with no other healthy host the
    // safety rule would publish the new one at once (it never empties MX), and the hold would not show
    probe: { interval: '3s', timeout: '2500ms', rise: 1, fall: 5, jitter: 0, helo: 'probe.example.com', starttls: 'optional', hold: false, caFile: pki.caFile },
    auth: {
      mtaSts: { mode, maxAge: '1d', address: POLICY_HOST, https: { listen: `${POLICY_HOST}:443`, certFile: cert.certFile, keyFile: cert.keyFile } },
      tlsRpt: { rua: ['mailto:tlsrpt@example.com'] },
    },
    nameserver: { listen: [`${NS}:53`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
    records: [{ name: 'ns1.example.com', type: 'A', value: NS }],
    http: { listen: `${NS}:8053` },
  };
}

const policy = () => run('curl', ['-sS', '--max-time', '5', '--cacert', pki.caFile, '--resolve', `mta-sts.example.com:443:${POLICY_HOST}`, '-w', '\n%{http_code} %{content_type}', 'https://mta-sts.example.com/.well-known/mta-sts.txt']);
const mx = () => dig(NS, 53, 'example.com', 'MX').then((lines) => lines.map((l) => l.split(' ')[1]).sort());
/** When the daemon lets `host` into MX: the moment its note "MTA-STS: <host> enters MX at <ISO>" names. */
function entersAt(logs: string, host: string): number {
  const matches = [...logs.matchAll(new RegExp(`MTA-STS: ${host.replaceAll('.', '\\.')} enters MX at (\\S+),`, 'g'))];
  expect(matches.length, `no hold logged for ${host}:\n${logs.split('\n').filter((l) => /zone published|health changed/.test(l)).join('\n').slice(-4000)}`).toBeGreaterThan(0);
  return Date.parse((matches.at(-1) as RegExpMatchArray)[1] as string);
}
const stsId = async () => (await dig(NS, 53, '_mta-sts.example.com', 'TXT'))[0]?.replace(/"/g, '');

beforeAll(async () => {
  pki = makeTestPki();
  cert = pki.leaf('mta-sts.example.com');
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pki.leaf(`mx${i + 1}.example.com`))));
  serve = serveProcess(config(2), `http://${NS}:8053/healthz`);
  await serve.start();
}, 60_000);

afterAll(async () => {
  await serve?.cleanup();
  await Promise.all(smtp.map((host) => host.close()));
  pki?.cleanup();
});

describe('MTA-STS served by mxpool', () => {
  it('serves the policy over HTTPS and publishes its records; the id is the digest of the text served', async () => {
    const { code, stdout } = await policy();
    expect(code).toBe(0);
    const [body, status] = [stdout.slice(0, stdout.lastIndexOf('\n')), stdout.slice(stdout.lastIndexOf('\n') + 1)];
    expect(status).toBe('200 text/plain');
    expect(body).toBe('version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 86400\r\n');
    const id = createHash('sha256').update(body).digest('hex').slice(0, 32);
    expect(await stsId()).toBe(`v=STSv1; id=${id}`);
    expect(await dig(NS, 53, 'mta-sts.example.com', 'A')).toEqual([POLICY_HOST]);
    expect(await dig(NS, 53, '_smtp._tls.example.com', 'TXT')).toEqual(['"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"']);
    await until('both hosts in MX', 30_000, async () => ((await mx()).length === 2 ? true : undefined));
  });

  it('a host added to the config enters MX one TTL after the policy naming it is served', async () => {
    // mx1 and mx2 came with the first policy: wait until it has been served one TTL, or all three
    // would be new after the restart, and the never-empty rule would publish them all at once
    await until('the first policy served for one TTL (nothing held)', 30_000, async () => {
      const state = (await (await fetch(`http://${NS}:8053/api/state`)).json()) as { transport: { heldMx: unknown[] } };
      return state.transport.heldMx.length === 0 ? true : undefined;
    });
    const idBefore = await stsId();
    await serve.stop();
    const saved = JSON.parse(readFileSync(join(serve.stateDir, 'state.json'), 'utf8')) as { transport: { stsNames: Record<string, number> } };
    expect(Object.keys(saved.transport.stsNames).sort()).toEqual(['mx1.example.com', 'mx2.example.com']);
    serve.write(config(3));
    const startedAt = Date.now();
    await serve.start();
    const body = (await policy()).stdout;
    expect(body).toContain('mx: mx3.example.com\r\n');
    expect(await stsId()).not.toBe(idBefore);
    // mx3 is healthy, yet not in MX while the new policy is younger than one TTL: every answer
    // before the daemon's own deadline (logged while it held a healthy mx3 back) lacks it
    const answers = await watch('mx3 in MX', 40_000, async () => (await mx()).includes('mx3.example.com.'));
    const deadline = entersAt(serve.logs(), 'mx3.example.com');
    expect(deadline).toBeGreaterThanOrEqual(startedAt + TTL * 1000);
    expect(answers.filter((a) => a.value).map((a) => a.at >= deadline)).toEqual([true]);
  }, 90_000);

  it('a reload serves the new policy at once; a host it adds enters MX one TTL later', async () => {
    const idBefore = await stsId();
    serve.write(config(4, 'testing'));
    const reloadedAt = Date.now();
    const reload = await run(process.execPath, ['src/cli.ts', 'reload', '--config', serve.configFile], { timeout: 60_000 });
    expect(reload.code, reload.stderr).toBe(0);
    const body = (await policy()).stdout;
    expect(body).toContain('mode: testing\r\n');
    expect(body).toContain('mx: mx4.example.com\r\n');
    expect(await stsId()).not.toBe(idBefore);
    const answers = await watch('mx4 in MX', 40_000, async () => (await mx()).includes('mx4.example.com.'));
    const deadline = entersAt(serve.logs(), 'mx4.example.com');
    expect(deadline).toBeGreaterThanOrEqual(reloadedAt + TTL * 1000);
    expect(answers.filter((a) => a.value).map((a) => a.at >= deadline)).toEqual([true]);
    // the hosts already named never left MX
    expect(await mx()).toEqual(['mx1.example.com.', 'mx2.example.com.', 'mx3.example.com.', 'mx4.example.com.']);
  }, 90_000);

  it('audit --domain fetches the live policy over HTTPS (the test CA via NODE_EXTRA_CA_CERTS) and finds it sound', async () => {
    const audit = (env: NodeJS.ProcessEnv) => run(process.execPath, ['src/cli.ts', 'audit', '--domain', 'example.com', '--nameserver', `${NS}:53`, '--format', 'json', '--fail-on', 'warning'], { env: { ...process.env, ...env }, timeout: 60_000 });
    const transportFindings = (stdout: string) => (JSON.parse(stdout) as { findings: { id: string; message: string }[] }).findings.filter((f) => /^(mta-sts|tls-rpt|dane)-/.test(f.id));
    const trusted = await audit({ NODE_EXTRA_CA_CERTS: pki.caFile });
    expect(transportFindings(trusted.stdout)).toEqual([]);
    // without the test CA a sender cannot fetch the policy: the same audit says so
    const untrusted = await audit({ NODE_EXTRA_CA_CERTS: '' });
    expect(transportFindings(untrusted.stdout)).toEqual([{ id: 'mta-sts-policy-unreachable', severity: 'error', record: 'https://mta-sts.example.com/.well-known/mta-sts.txt HTTPS', message: expect.stringMatching(/the certificate is not trusted/), rfc: 'RFC 8461 3.3' }]);
    expect(untrusted.code).toBe(1);
  }, 120_000);
});
