// The status page shows the checks beside the probe, in a real browser (Debian Chromium) over a
// canned /api/state: a relay withdrawn for an open-relay finding and a DNSBL listing, a relay whose
// list answered with an error code (not a listing), a clean check; hosts without checks show no
// such rows; hostile finding text stays text; the rows follow the state as it changes. 127.17.6.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { collectConsoleErrors, launchChromium } from './browser.ts';
import { startCannedServer, type CannedServer } from './canned-server.ts';
import { cannedState, HOSTILE } from './canned-state.ts';
import type { ApiHost, ApiState } from '../../src/http/types.ts';

const BL = 'zen.example-bl.test';
let browser: Browser;
let server: CannedServer;
let page: Page;
let errors: string[];

function withChecks(state: ApiState, now: number): ApiState {
  const relays = state.pools[1]!.hosts;
  const relay1 = relays[0]!;
  Object.assign(relay1, {
    state: 'unhealthy',
    inDns: false,
    withheld: ['security: smtp-open-relay', `dnsbl: listed on ${BL} (127.0.0.2: spam source)`],
    security: {
      onFinding: 'withdraw',
      findings: [{ id: 'smtp-open-relay', message: `MAIL FROM:<relay-test@relay-test.invalid> then RCPT TO:<relay-test@relay-test.invalid> accepted (250 ${HOSTILE}) without AUTH` }],
      at: now - 30_000,
      error: null,
      notes: [],
    },
    dnsbl: [{ zone: BL, listed: true, status: 'listed', codes: ['127.0.0.2'], reason: 'spam source', at: now - 10_000 }],
  } satisfies Partial<ApiHost>);
  const relay2 = relays[1]!;
  Object.assign(relay2, {
    security: { onFinding: 'withdraw', findings: [], at: now - 20_000, error: 'connect: connection refused', notes: [] },
    dnsbl: [{ zone: BL, listed: false, status: 'error', codes: ['127.255.255.254'], reason: '127.255.255.254: query through a public or open resolver, refused by the list', at: now - 10_000 }],
    withheld: [],
  } satisfies Partial<ApiHost>);
  return state;
}

const card = (name: string) => page.locator(`[data-host="${name}"]`);

beforeAll(async () => {
  browser = await launchChromium();
  const now = Date.now();
  server = await startCannedServer('127.17.6.1', withChecks(cannedState(now), now), 'token');
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  errors = collectConsoleErrors(page);
  await page.goto(server.url);
  await card('relay1.example.com').waitFor();
}, 60_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await server?.close();
});

describe('status page: relay security and DNSBL', { timeout: 60_000 }, () => {
  it('a withdrawn relay: its finding, its listing and why it is out of DNS', async () => {
    await expect.poll(() => card('relay1.example.com').getAttribute('data-state'), { timeout: 15_000 }).toBe('unhealthy');
    const text = await card('relay1.example.com').innerText();
    expect(text).toMatch(new RegExp(`DNS\\s+withdrawn · in SPF · held out: security: smtp-open-relay; dnsbl: listed on ${BL.replace(/\./g, '\\.')} \\(127\\.0\\.0\\.2: spam source\\)`));
    expect(text).toMatch(/security\s+smtp-open-relay: MAIL FROM:<relay-test@relay-test\.invalid> then RCPT TO:<relay-test@relay-test\.invalid> accepted/);
    expect(text).toMatch(/findings withdraw the host · checked \d+s ago/);
    expect(await card('relay1.example.com').locator('[data-finding="smtp-open-relay"]').getAttribute('class')).toBe('bad-text');
    expect(await card('relay1.example.com').locator(`[data-zone="${BL}"]`).innerText()).toBe(`listed on ${BL} (127.0.0.2: spam source)`);
    // the relay's reply text is shown, never run
    expect(text).toContain(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('an error code from the list is shown as such, not as a listing; a check that could not run says so', async () => {
    const text = await card('relay2.example.com').innerText();
    expect(text).toContain(`${BL}: lookup error, not a listing: 127.255.255.254: query through a public or open resolver, refused by the list`);
    expect(await card('relay2.example.com').locator(`[data-zone="${BL}"]`).getAttribute('class')).toBe('warn-text');
    expect(text).toContain('no findings');
    expect(text).toContain('last check did not finish: connect: connection refused');
  });

  it('hosts without checks have no security or DNSBL rows', async () => {
    expect(await card('mx1.example.com').locator('[data-security]').isHidden()).toBe(true);
    expect(await card('mx1.example.com').locator('[data-dnsbl]').isHidden()).toBe(true);
    expect(await card('mx1.example.com').innerText()).not.toMatch(/DNSBL|security/);
  });

  it('follows the state: delisted and clean, the relay is back', async () => {
    const relay1 = server.state.pools[1]!.hosts[0]!;
    Object.assign(relay1, { state: 'healthy', inDns: true, withheld: [] });
    relay1.security = { ...relay1.security!, findings: [], at: Date.now() };
    relay1.dnsbl = [{ zone: BL, listed: false, status: 'clean', codes: [], reason: '', at: Date.now() }];
    await expect.poll(() => card('relay1.example.com').getAttribute('data-state'), { timeout: 15_000 }).toBe('healthy');
    const text = await card('relay1.example.com').innerText();
    expect(text).toMatch(/DNS\s+published · in SPF\n/);
    expect(text).toContain(`not listed on ${BL}`);
    expect(text).toContain('no findings');
    expect(errors).toEqual([]);
  });
});
