// DANE end to end: `mxpool serve` over three STARTTLS servers publishes TLSA from the keys its probe
// really sees; openssl verifies each host against the TLSA records fetched with dig. A certificate
// replaced mid-test: the TLSA follows, the host leaves MX for one TTL (onMismatch: withdraw), the old
// key stays 2 x TTL, then goes — and the book survives a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPki, type KeyPair, type TestPki } from '../helpers/smtp/test-ca.ts';
import { dig, daneVerify, run, serveProcess, spkiSha256, startTlsSmtpHost, until, type ServeProcess, type TlsSmtpHost } from './helpers.ts';

const NS = '127.18.1.1';
const HOSTS = ['127.18.1.11', '127.18.1.12', '127.18.1.13'];
const NAMES = HOSTS.map((_, i) => `mx${i + 1}.example.com`);
// long enough that the withdrawal (one TTL) is seen by polling dig, also on a loaded machine
const TTL = 4;

let pki: TestPki;
let pairs: KeyPair[];
let smtp: TlsSmtpHost[] = [];
let serve: ServeProcess;

const tlsa = (name: string) => dig(NS, 53, `_25._tcp.${name}`, 'TLSA').then((lines) => lines.map((l) => l.replace(/\s+/g, ' ').toLowerCase()).map((l) => l.replace(/^(\d+ \d+ \d+) (.*)$/, (_all, head: string, hex: string) => `${head} ${hex.replace(/ /g, '')}`)).sort());
const mx = () => dig(NS, 53, 'example.com', 'MX').then((lines) => lines.map((l) => l.split(' ')[1]).sort());

beforeAll(async () => {
  pki = makeTestPki();
  pairs = NAMES.map((name) => pki.leaf(name));
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pairs[i] as KeyPair)));
  serve = serveProcess({
    zone: 'example.com',
    ttl: TTL,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.map((address, i) => ({ name: NAMES[i], address, port: 25 })) }],
    // fall 3 and a generous timeout: a loaded machine must not make hosts flap under the test
    probe: { interval: '1s', timeout: '900ms', rise: 1, fall: 3, jitter: 0, helo: 'probe.example.com', starttls: 'required', hold: false, caFile: pki.caFile },
    auth: { dane: { mode: 'publish', onMismatch: 'withdraw' } },
    nameserver: { listen: [`${NS}:53`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
    records: [
      { name: 'ns1.example.com', type: 'A', value: NS },
      // an MTA-STS record whose policy host serves nothing: the live audit must say so
      { name: '_mta-sts.example.com', type: 'TXT', value: 'v=STSv1; id=1' },
      { name: 'mta-sts.example.com', type: 'A', value: '127.18.1.99' },
    ],
    http: { listen: `${NS}:8053` },
  }, `http://${NS}:8053/healthz`);
  await serve.start();
}, 60_000);

afterAll(async () => {
  await serve?.cleanup();
  await Promise.all(smtp.map((host) => host.close()));
  pki?.cleanup();
});

describe('DANE TLSA from the keys the probe sees', () => {
  it('publishes 3 1 1 <SHA-256 of the SPKI> per MX host, and openssl verifies each host against it', async () => {
    for (const [i, name] of NAMES.entries()) {
      const expected = `3 1 1 ${await spkiSha256((pairs[i] as KeyPair).certFile)}`;
      const served = await until(`TLSA of ${name}`, 30_000, async () => {
        const records = await tlsa(name);
        return records.length > 0 ? records : undefined;
      });
      expect(served).toEqual([expected]);
      const verdict = await daneVerify(HOSTS[i] as string, 25, name, served);
      expect(verdict.ok, verdict.output).toBe(true);
    }
    // a TLSA record for another key does not verify: the check can fail
    const wrong = await daneVerify(HOSTS[0] as string, 25, NAMES[0] as string, [`3 1 1 ${'00'.repeat(32)}`]);
    expect(wrong.ok).toBe(false);
    await until('every host in MX', 30_000, async () => ((await mx()).length === 3 ? true : undefined));
  });

  it('follows a replaced key: both keys published, the host out of MX for one TTL, the old key gone after 2 x TTL', async () => {
    const name = NAMES[0] as string;
    const oldRecord = `3 1 1 ${await spkiSha256((pairs[0] as KeyPair).certFile)}`;
    const renewed = pki.leaf(name);
    const newRecord = `3 1 1 ${await spkiSha256(renewed.certFile)}`;
    (smtp[0] as TlsSmtpHost).rotate(renewed);
    const changedAt = Date.now();
    const daneState = async () => ((await (await fetch(`http://${NS}:8053/api/state`)).json()) as { transport: { dane: { host: string; presented: string; published: string[]; mismatch: { key: string; until: number } | null }[] } }).transport.dane.find((h) => h.host === name);
    // withdrawn from MX while resolvers may still hold the old TLSA RRset (polled: seen however slow the machine)
    expect(await until(`${name} withdrawn from MX`, 20_000, async () => {
      const now = await mx();
      return now.includes(`${name}.`) ? undefined : now;
    })).toEqual([`${NAMES[1]}.`, `${NAMES[2]}.`]);
    // both keys are in the TLSA RRset while the host is out
    expect(await until('both keys in the TLSA', 10_000, async () => ((await tlsa(name)).length === 2 ? true : undefined))).toBe(true);
    expect(await tlsa(name)).toEqual([oldRecord, newRecord].sort());
    // /api/state says why — checked when the host was still out after the state was read (so the
    // state was read inside the withdrawal)
    const during = await daneState();
    if (!(await mx()).includes(`${name}.`)) {
      expect(during).toMatchObject({ presented: newRecord.slice(2), mismatch: { key: newRecord.slice(2) } });
      expect(during?.mismatch?.until).toBeGreaterThanOrEqual(changedAt + TTL * 1000 - 300);
    }
    const back = await until(`${name} back in MX`, 30_000, async () => ((await mx()).includes(`${name}.`) ? Date.now() : undefined));
    expect(back - changedAt).toBeGreaterThanOrEqual(TTL * 1000 - 300);
    expect((await daneState())?.mismatch).toBeNull();
    expect(await tlsa(name)).toContain(newRecord);
    expect((await daneVerify(HOSTS[0] as string, 25, name, await tlsa(name))).ok).toBe(true);
    expect((await daneVerify(HOSTS[0] as string, 25, name, [oldRecord])).ok).toBe(false);
    // the old key leaves once it has not been seen for 2 x TTL
    await until('the old key gone', 30_000, async () => {
      const records = await tlsa(name);
      return records.length === 1 ? records : undefined;
    });
    expect(await tlsa(name)).toEqual([newRecord]);
    // counted from the old key's last sighting: the last probe before the swap, up to one probe
    // interval (1 s) before changedAt
    expect(Date.now() - changedAt).toBeGreaterThanOrEqual(2 * TTL * 1000 - 1000 - 300);
    expect(serve.logs()).toMatch(/presents a new key/);
  }, 90_000);

  it('keeps the key book across a restart: the first answer already holds the current key', async () => {
    await serve.stop();
    const saved = JSON.parse(readFileSync(join(serve.stateDir, 'state.json'), 'utf8')) as { transport: { dane: Record<string, { seen: object; published: object }> } };
    expect(Object.keys(saved.transport.dane).sort()).toEqual(NAMES);
    const before = await Promise.all(NAMES.map((name) => serveLess(name)));
    await serve.start();
    expect(await Promise.all(NAMES.map((name) => tlsa(name)))).toEqual(before);
  }, 30_000);
});

describe('audit --domain of the live zone', () => {
  it('probes each MX host over STARTTLS: keys match; TLSA unsigned, the policy host unreachable, no TLS-RPT', async () => {
    const { stdout } = await run(process.execPath, ['src/cli.ts', 'audit', '--domain', 'example.com', '--nameserver', `${NS}:53`, '--format', 'json'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caFile }, timeout: 60_000 });
    const findings = (JSON.parse(stdout) as { findings: { id: string; record: string; message: string }[] }).findings.filter((f) => /^(mta-sts|tls-rpt|dane)-/.test(f.id));
    expect(findings.map((f) => `${f.id} ${f.record}`).sort()).toEqual([
      'dane-no-dnssec _25._tcp.mx1.example.com TLSA',
      'dane-no-dnssec _25._tcp.mx2.example.com TLSA',
      'dane-no-dnssec _25._tcp.mx3.example.com TLSA',
      'mta-sts-policy-unreachable https://mta-sts.example.com/.well-known/mta-sts.txt HTTPS',
      'tls-rpt-missing _smtp._tls.example.com TXT',
    ]);
    expect(findings.find((f) => f.id === 'mta-sts-policy-unreachable')?.message).toBe('connection refused on port 443');
    expect(findings.find((f) => f.id === 'dane-no-dnssec')?.message).toMatch(/carries no DNSSEC signature/);
  }, 90_000);
});

/** What the TLSA records were: read from the state file's published keys, as `3 s m hex`. */
async function serveLess(name: string): Promise<string[]> {
  const saved = JSON.parse(readFileSync(join(serve.stateDir, 'state.json'), 'utf8')) as { transport: { dane: Record<string, { published: Record<string, number> }> } };
  return Object.keys(saved.transport.dane[name]?.published ?? {}).map((key) => `3 ${key}`).sort();
}
