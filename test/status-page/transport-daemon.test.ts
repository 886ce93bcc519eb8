// The transport-security panel over a REAL `mxpool serve`: two STARTTLS smtp-servers on
// 127.19.1.11-12, MTA-STS enforce (its policy server on :443), TLS-RPT and DANE publish. The panel
// shows the policy id the nameserver serves (read with dig), the rua, and each host's TLSA state —
// through a certificate replaced mid-test: mismatch, then rollover (both keys published), then the
// new key alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { makeTestPki, type KeyPair, type TestPki } from '../helpers/smtp/test-ca.ts';
import { dig, serveProcess, spkiSha256, startTlsSmtpHost, type ServeProcess, type TlsSmtpHost } from '../transport/helpers.ts';
import { collectConsoleErrors, launchChromium } from './browser.ts';

const NS = '127.19.1.1';
const HOSTS = ['127.19.1.11', '127.19.1.12'];
const NAMES = HOSTS.map((_, i) => `mx${i + 1}.example.com`);
// the mismatch lasts one TTL and the rollover two: long enough to see each with the page's 2 s polling
const TTL = 6;
const LONG = { timeout: 30_000, interval: 200 };

let pki: TestPki;
let pairs: KeyPair[];
let smtp: TlsSmtpHost[] = [];
let serve: ServeProcess;
let browser: Browser;
let page: Page;
let errors: string[];

const row = (key: string) => page.locator(`[data-transport="${key}"]`);
const daneLine = (name: string) => row('dane').locator(`[data-dane="${name}"]`).innerText();
/** "1 1 <first 8 hex>…", as the panel shortens a key */
const short = async (certFile: string) => `1 1 ${(await spkiSha256(certFile)).slice(0, 8)}…`;

beforeAll(async () => {
  pki = makeTestPki();
  pairs = NAMES.map((name) => pki.leaf(name));
  const policyCert = pki.leaf('mta-sts.example.com');
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pairs[i] as KeyPair)));
  serve = serveProcess({
    zone: 'example.com',
    ttl: TTL,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.map((address, i) => ({ name: NAMES[i], address, port: 25 })) }],
    probe: { interval: '1s', timeout: '900ms', rise: 1, fall: 3, jitter: 0, helo: 'probe.example.com', starttls: 'required', hold: false, caFile: pki.caFile },
    auth: {
      mtaSts: { mode: 'enforce', maxAge: '1d', address: '192.0.2.80', https: { listen: `${NS}:443`, certFile: policyCert.certFile, keyFile: policyCert.keyFile } },
      tlsRpt: { rua: ['mailto:tlsrpt@example.com'] },
      dane: { mode: 'publish', onMismatch: 'report' },
    },
    nameserver: { listen: [`${NS}:53`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
    records: [{ name: 'ns1.example.com', type: 'A', value: NS }],
    http: { listen: `${NS}:8053` },
  }, `http://${NS}:8053/healthz`);
  await serve.start();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  errors = collectConsoleErrors(page);
  await page.goto(`http://${NS}:8053/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await serve?.cleanup();
  await Promise.all(smtp.map((host) => host.close()));
  pki?.cleanup();
});

describe('transport-security panel over a real daemon', () => {
  it('shows the policy id the nameserver serves, no MX name held once settled, the TLS-RPT rua and TLSA for both hosts', async () => {
    await expect.poll(() => page.locator('#transport-section').isVisible(), LONG).toBe(true);
    const [sts] = await dig(NS, 53, '_mta-sts.example.com', 'TXT');
    const id = /id=(\w+)/.exec(sts ?? '')?.[1];
    expect(id).toBeTruthy();
    expect(await row('mta-sts').innerText()).toBe(`mode enforce · policy id ${id} · 2 MX names in the policy`);
    await expect.poll(() => row('sts-places').locator('[data-place="nameserver"]').innerText(), LONG).toMatch(new RegExp(`^nameserver: id ${id} since `));
    // the names wait one TTL after the policy is first served, then enter MX
    await expect.poll(() => row('held-mx').innerText(), LONG).toBe('none: every policy name may be in MX');
    await expect.poll(async () => (await dig(NS, 53, 'example.com', 'MX')).sort(), LONG).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    expect(await row('tls-rpt').innerText()).toBe('mailto:tlsrpt@example.com');
    await expect.poll(() => row('dane').locator('div').first().textContent(), LONG).toBe('TLSA published for 2 of 2 MX hosts');
    for (const [i, name] of NAMES.entries()) {
      expect(await daneLine(name)).toBe(`${name}: TLSA published, matches the key presented (${await short((pairs[i] as KeyPair).certFile)})`);
    }
    expect(errors).toEqual([]);
  });

  it('follows a replaced certificate: mismatch, then rollover with both keys, then the new key alone', async () => {
    const name = NAMES[0] as string;
    const oldKey = await short((pairs[0] as KeyPair).certFile);
    const renewed = pki.leaf(name);
    const newKey = await short(renewed.certFile);
    (smtp[0] as TlsSmtpHost).rotate(renewed);
    await expect.poll(() => daneLine(name), LONG).toMatch(`${name}: presents ${newKey}, which no TLSA published long enough matches (matched from `);
    await expect.poll(() => daneLine(name), LONG).toBe(`${name}: rollover in progress: 2 TLSA keys published, presents ${newKey}, also ${oldKey}`);
    await expect.poll(() => daneLine(name), LONG).toBe(`${name}: TLSA published, matches the key presented (${newKey})`);
    expect(await dig(NS, 53, `_25._tcp.${name}`, 'TLSA')).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
