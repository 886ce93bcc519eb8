// DANE audit mode: TLSA records given by hand under records: are served as they are and compared
// with the keys the hosts really present — by `zone` (one probe round), by `audit --config`, and by
// `audit --domain` against the live zone `serve` publishes (probing each MX host over STARTTLS).
// With onMismatch: withdraw the host whose key no TLSA matches leaves MX.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type KeyPair, type TestPki } from '../helpers/smtp/test-ca.ts';
import { dig, run, serveProcess, spkiSha256, startTlsSmtpHost, until, type ServeProcess, type TlsSmtpHost } from './helpers.ts';

const NS = '127.18.3.1';
const HOSTS = ['127.18.3.11', '127.18.3.12', '127.18.3.13'];
const NAMES = HOSTS.map((_, i) => `mx${i + 1}.example.com`);
const WRONG = `3 1 1 ${'00'.repeat(32)}`;

let pki: TestPki;
let pairs: KeyPair[];
let smtp: TlsSmtpHost[] = [];
let serve: ServeProcess;
let right: string;
let config: (onMismatch: string) => Record<string, unknown>;

const mxpool = (args: string[]) => run(process.execPath, ['src/cli.ts', ...args], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caFile }, timeout: 60_000 });

beforeAll(async () => {
  pki = makeTestPki();
  pairs = NAMES.map((name) => pki.leaf(name));
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pairs[i] as KeyPair)));
  right = `3 1 1 ${await spkiSha256((pairs[0] as KeyPair).certFile)}`;
  config = (onMismatch) => ({
    zone: 'example.com',
    ttl: 2,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.map((address, i) => ({ name: NAMES[i], address, port: 25 })) }],
    // one-shot commands probe once: a timeout that a loaded machine's first TLS handshake fits in
    // (a 2-core machine shared by several test runs takes seconds)
    probe: { interval: '6s', timeout: '5s', rise: 1, fall: 2, jitter: 0, helo: 'probe.example.com', starttls: 'required', hold: false, caFile: pki.caFile },
    auth: { dane: { mode: 'audit', onMismatch }, tlsRpt: { rua: ['mailto:tlsrpt@example.com'] } },
    nameserver: { listen: [`${NS}:53`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
    records: [
      { name: 'ns1.example.com', type: 'A', value: NS },
      { name: '_25._tcp.mx1.example.com', type: 'TLSA', value: right },
      { name: '_25._tcp.mx2.example.com', type: 'TLSA', value: WRONG },
    ],
    http: { listen: `${NS}:8053` },
  });
  serve = serveProcess(config('withdraw'), `http://${NS}:8053/healthz`);
}, 60_000);

afterAll(async () => {
  await serve?.cleanup();
  await Promise.all(smtp.map((host) => host.close()));
  pki?.cleanup();
});

describe('DANE audit mode', () => {
  it('zone: the TLSA given are served as they are; the host no TLSA matches is out of MX, with a note', async () => {
    const { code, stdout } = await mxpool(['zone', '--config', serve.configFile]);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^_25\\._tcp\\.mx1 +\\d+ IN TLSA +${right}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^_25\\._tcp\\.mx2 +\\d+ IN TLSA +${WRONG}$`, 'm'));
    const mx = stdout.split('\n').filter((line) => /\bIN MX\b/.test(line)).map((line) => line.split(/\s+/).at(-1) ?? '');
    expect(mx.map((l) => l.replace(/;.*$/, '')).join(' ')).not.toContain('mx2.example.com.');
    expect(stdout).toMatch(/; note: DANE: mx2\.example\.com presents key [0-9a-f]{16}\.\.\.: no TLSA record under records: matches it; out of MX meanwhile/);
  });

  it('audit --config: the mismatch, with the key presented; TLSA in a zone not known to be signed', async () => {
    const { code, stdout } = await mxpool(['audit', '--config', serve.configFile, '--format', 'json']);
    const findings = (JSON.parse(stdout) as { findings: { id: string; record: string; message: string }[] }).findings.filter((f) => f.id.startsWith('dane-'));
    expect(findings.map((f) => `${f.id} ${f.record}`).sort()).toEqual([
      'dane-no-dnssec _25._tcp.mx1.example.com TLSA',
      'dane-no-dnssec _25._tcp.mx2.example.com TLSA',
      'dane-tlsa-mismatch _25._tcp.mx2.example.com TLSA',
    ]);
    const spki2 = await spkiSha256((pairs[1] as KeyPair).certFile);
    expect(findings.find((f) => f.id === 'dane-tlsa-mismatch')?.message).toBe(`mx2.example.com presents a key with SPKI SHA-256 ${spki2}; no TLSA record (${WRONG}) matches it`);
    expect(code).toBe(1);
  });

  it('serve and audit --domain: the live MX lacks mx2, and probing port 25 finds the mismatch', async () => {
    await serve.start();
    expect((await dig(NS, 53, '_25._tcp.mx1.example.com', 'TLSA')).map((l) => l.replace(/\s+/g, ' ').toLowerCase().replace(/^(\d \d \d) (.*)$/, (_a, h: string, x: string) => `${h} ${x.replace(/ /g, '')}`))).toEqual([right]);
    const mxNow = async () => (await dig(NS, 53, 'example.com', 'MX')).map((l) => l.split(' ')[1] as string).sort();
    const mx = await until('the healthy hosts mx1 and mx3 in MX', 30_000, async () => {
      const names = await mxNow();
      return names.includes('mx1.example.com.') && names.includes('mx3.example.com.') ? names : undefined;
    });
    expect(mx).toEqual(['mx1.example.com.', 'mx3.example.com.']);
    const liveDane = async () => {
      const { stdout } = await mxpool(['audit', '--domain', 'example.com', '--nameserver', `${NS}:53`, '--format', 'json']);
      return (JSON.parse(stdout) as { findings: { id: string; record: string; message: string }[] }).findings.filter((f) => f.id.startsWith('dane-'));
    };
    // mx2 is not in the live MX, so senders (and the live audit) do not go there
    expect((await liveDane()).map((f) => `${f.id} ${f.record}`)).toEqual(['dane-no-dnssec _25._tcp.mx1.example.com TLSA']);
    // onMismatch: report keeps mx2 in MX: the live audit probes its port 25 and finds the mismatch
    await serve.stop();
    serve.write(config('report'));
    await serve.start();
    await until('all three hosts in MX', 30_000, async () => ((await mxNow()).length === 3 ? true : undefined));
    const mismatch = (await liveDane()).find((f) => f.id === 'dane-tlsa-mismatch');
    expect(mismatch?.record).toBe('_25._tcp.mx2.example.com TLSA');
    expect(mismatch?.message).toContain(await spkiSha256((pairs[1] as KeyPair).certFile));
  }, 120_000);
});
