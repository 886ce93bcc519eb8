// DNSSEC through Knot DNS: `mxpool serve` as hidden primary, knotd (the configuration of
// docs/dnssec.md, run in the foreground) transferring the zone on NOTIFY and signing it with keys
// it makes itself. `kdig +dnssec` shows RRSIGs over TLSA and MX after a health change; `delv`
// validates them with the zone's DNSKEY as trust anchor; ldns-verify-zone checks the whole zone;
// a live `mxpool audit` against Knot sees signed TLSA (no dane-no-dnssec).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.ts';
import { track } from '../helpers/children.ts';
import { makeTestPki, type KeyPair, type TestPki } from '../helpers/smtp/test-ca.ts';
import { run, serveProcess, startTlsSmtpHost, until, type ServeProcess, type TlsSmtpHost } from './helpers.ts';

const MXPOOL = '127.18.4.1';
const KNOT = '127.18.4.2';
const HOSTS = ['127.18.4.11', '127.18.4.12'];
const NAMES = ['mx1.example.com', 'mx2.example.com'];

let pki: TestPki;
let smtp: TlsSmtpHost[] = [];
let serve: ServeProcess;
let knot: ChildProcess | undefined;
let knotLog = '';
let dir: string;

/** The Knot configuration of docs/dnssec.md, with this test's addresses and folders. */
function knotConfig(folder: string): string {
  const doc = readFileSync('docs/dnssec.md', 'utf8');
  const block = /<!-- knot\.conf begin -->\n```yaml\n([\s\S]*?)```\n<!-- knot\.conf end -->/.exec(doc)?.[1];
  if (!block) throw new Error('docs/dnssec.md has no knot.conf block');
  return block
    .replaceAll('192.0.2.53', KNOT)
    .replaceAll('192.0.2.1@53', `${MXPOOL}@53`)
    .replaceAll('address: 192.0.2.1 ', `address: ${MXPOOL} `)
    .replaceAll('192.0.2.0/24', '127.0.0.0/8')
    .replaceAll('/var/lib/knot', join(folder, 'lib'))
    .replaceAll('/run/knot', join(folder, 'run'))
    .replace('target: syslog', 'target: stderr');
}

/** kdig at Knot, asked again while it gets no answer (a loaded machine drops a query now and then) */
const kdig = (args: string[]) =>
  until(`kdig ${args.join(' ')}`, 20_000, async () => {
    const result = await run('kdig', [`@${KNOT}`, '+time=2', '+retry=1', ...args]);
    return result.code === 0 ? result : undefined;
  });
/** The answer section lines of `kdig +dnssec`, as "type rdata" (TTL and owner left out). */
async function signedAnswer(name: string, type: string): Promise<string[]> {
  const { stdout } = await kdig(['+dnssec', '+noall', '+answer', name, type]);
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => line.split(/\s+/).slice(3).join(' '));
}

beforeAll(async () => {
  pki = makeTestPki();
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pki.leaf(NAMES[i] as string) as KeyPair)));
  serve = serveProcess({
    zone: 'example.com',
    ttl: 30,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.map((address, i) => ({ name: NAMES[i], address, port: 25 })) }],
    // fall 3: a loaded machine must not make a host flap under the test
    probe: { interval: '1s', timeout: '900ms', rise: 1, fall: 3, jitter: 0, helo: 'probe.example.com', starttls: 'required', hold: false, caFile: pki.caFile },
    auth: { dane: { mode: 'publish', signed: true }, tlsRpt: { rua: ['mailto:tlsrpt@example.com'] } },
    nameserver: {
      listen: [`${MXPOOL}:53`],
      ns: ['ns1.example.com'],
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' },
      transfer: { allow: [KNOT], notify: [`${KNOT}:53`] },
    },
    records: [{ name: 'ns1.example.com', type: 'A', value: KNOT }],
    http: { listen: `${MXPOOL}:8053` },
  }, `http://${MXPOOL}:8053/healthz`);
  await serve.start();
  // mxpool has seen both keys before Knot first transfers (then NOTIFY brings every change)
  await until('TLSA at mxpool', 30_000, async () => ((await run('dig', [`@${MXPOOL}`, '+short', '_25._tcp.mx2.example.com', 'TLSA'])).stdout.trim() !== '' ? true : undefined));
  dir = tempDir('mxpool-knot-');
  for (const sub of ['lib', 'run']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'knot.conf'), knotConfig(dir));
  knot = track(spawn('knotd', ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] }));
  knot.stderr!.on('data', (chunk: Buffer) => (knotLog += chunk.toString()));
  await until('Knot serving the signed zone', 30_000, async () => ((await signedAnswer('example.com', 'DNSKEY')).some((l) => l.startsWith('DNSKEY 257')) ? true : undefined)).catch((error: Error) => {
    throw new Error(`${error.message}\nknotd said:\n${knotLog.slice(-3000)}`);
  });
}, 120_000);

afterAll(async () => {
  if (knot && knot.exitCode === null) {
    const exited = new Promise((done) => knot?.once('exit', done));
    knot.kill('SIGTERM');
    await exited;
  }
  await serve?.cleanup();
  await Promise.all(smtp.map((host) => host.close()));
  pki?.cleanup();
});

describe('Knot signs the zone mxpool publishes', () => {
  it('serves TLSA and MX with RRSIGs', async () => {
    // both hosts healthy and both keys seen: Knot has them (first transfer or a NOTIFY after it)
    const mx = await until('Knot serving both MX hosts', 30_000, async () => {
      const answer = await signedAnswer('example.com', 'MX');
      return answer.filter((l) => l.startsWith('MX ')).length === 2 ? answer : undefined;
    });
    expect(mx.filter((l) => l.startsWith('MX ')).sort()).toEqual(['MX 10 mx1.example.com.', 'MX 10 mx2.example.com.']);
    expect(mx.some((l) => l.startsWith('RRSIG MX 13 '))).toBe(true);
    for (const name of NAMES) {
      const tlsa = await until(`Knot serving the TLSA of ${name}`, 30_000, async () => {
        const answer = await signedAnswer(`_25._tcp.${name}`, 'TLSA');
        return answer.length > 0 ? answer : undefined;
      });
      expect(tlsa.some((l) => /^TLSA 3 1 1 [0-9A-Fa-f]+/.test(l)), knotLog).toBe(true);
      expect(tlsa.some((l) => l.startsWith('RRSIG TLSA 13 '))).toBe(true);
    }
  }, 90_000);

  it('after a health change: the new MX set arrives by NOTIFY, signed; delv validates it and the TLSA', async () => {
    const serialBefore = Number((await kdig(['+short', 'example.com', 'SOA'])).stdout.split(/\s+/)[2]);
    await (smtp[1] as TlsSmtpHost).close(); // mx2 dies
    const mx = await until('Knot serving the MX without mx2', 30_000, async () => {
      const answer = await signedAnswer('example.com', 'MX');
      return answer.filter((l) => l.startsWith('MX ')).length === 1 ? answer : undefined;
    });
    expect(mx.filter((l) => l.startsWith('MX '))).toEqual(['MX 10 mx1.example.com.']);
    expect(mx.some((l) => l.startsWith('RRSIG MX 13 '))).toBe(true);
    expect(Number((await kdig(['+short', 'example.com', 'SOA'])).stdout.split(/\s+/)[2])).toBeGreaterThan(serialBefore);
    // the TLSA of the host still in MX, signed in the new version too
    const tlsa = await signedAnswer('_25._tcp.mx1.example.com', 'TLSA');
    expect(tlsa.some((l) => /^TLSA 3 1 1 [0-9A-Fa-f]+/.test(l))).toBe(true);
    expect(tlsa.some((l) => l.startsWith('RRSIG TLSA 13 '))).toBe(true);

    // the zone's own KSK as the trust anchor: delv validates the chain from it
    const ksk = (await kdig(['+short', 'example.com', 'DNSKEY'])).stdout.split('\n').find((l) => l.startsWith('257 '));
    expect(ksk).toBeDefined();
    const [flags, protocol, algorithm, ...key] = (ksk as string).split(/\s+/);
    const anchors = join(dir, 'anchors.conf');
    writeFileSync(anchors, `trust-anchors {\n  example.com. static-key ${flags} ${protocol} ${algorithm} "${key.join('')}";\n};\n`);
    for (const [name, type] of [['example.com', 'MX'], ['_25._tcp.mx1.example.com', 'TLSA']]) {
      const { stdout, stderr } = await run('delv', [`@${KNOT}`, '-a', anchors, '+root=example.com', name as string, type as string]);
      expect(`${stdout}${stderr}`, `${name} ${type}`).toMatch(/; fully validated/);
    }
    // and a tampered anchor does not validate: the check can fail
    writeFileSync(anchors, `trust-anchors {\n  example.com. static-key ${flags} ${protocol} ${algorithm} "${key.join('').replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}";\n};\n`);
    const tampered = await run('delv', [`@${KNOT}`, '-a', anchors, '+root=example.com', 'example.com', 'MX']);
    expect(`${tampered.stdout}${tampered.stderr}`).not.toMatch(/; fully validated/);
  }, 60_000);

  it('the whole signed zone verifies (ldns-verify-zone), and a live audit sees signed TLSA', async () => {
    const axfr = await kdig(['example.com', 'AXFR']);
    const zoneFile = join(dir, 'signed.zone');
    writeFileSync(zoneFile, axfr.stdout.split('\n').filter((l) => !l.startsWith(';')).join('\n'));
    const verify = await run('ldns-verify-zone', [zoneFile]);
    expect(verify.code, `${verify.stdout}${verify.stderr}`).toBe(0);
    expect(verify.stdout).toMatch(/Zone is verified and complete/);

    const audit = await run(process.execPath, ['src/cli.ts', 'audit', '--domain', 'example.com', '--nameserver', `${KNOT}:53`, '--format', 'json'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caFile }, timeout: 60_000 });
    const ids = (JSON.parse(audit.stdout) as { findings: { id: string }[] }).findings.map((f) => f.id).filter((id) => /^(dane|tls-rpt)-/.test(id));
    expect(ids).toEqual([]);
  }, 60_000);
});
