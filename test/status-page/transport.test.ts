// The transport-security panel in Debian Chromium over a canned /api/state with `transport`:
// MTA-STS enforce with its id at each place (one failing to sync), an MX name held back waiting for
// that place, the TLS-RPT rua from the published record, and DANE with a rollover, a mismatch and a host without TLSA. Without
// `transport` the panel is not there; API text stays text.
import { beforeEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { ApiState, ApiTransport } from '../../src/http/types.ts';
import { collectConsoleErrors, hasHorizontalScroll } from './browser.ts';
import type { CannedServer } from './canned-server.ts';
import { useCannedPage } from './canned-page.ts';
import { cannedState, HOSTILE } from './canned-state.ts';

const OLD = `1 1 ${'0a'.repeat(32)}`;
const NEW = `1 1 ${'b7'.repeat(32)}`;
const ROGUE = `1 1 ${'c3'.repeat(32)}`;
const ID = '20261207T054500';

function transport(now: number): ApiTransport {
  return {
    mtaSts: { mode: 'enforce', id: ID, names: ['mx1.example.com', 'mx2.example.com', 'mx3.example.com', 'mx4.example.com'] },
    heldMx: [
      // a name waiting for a place: no deadline yet, and the place it waits for
      { host: 'mx4.example.com', until: null, waitingFor: ['cloudflare'] },
    ],
    stsPlaces: [
      { place: 'nameserver', id: ID, since: now - 600_000, error: null, failingSince: null },
      { place: 'route53', id: ID, since: now - 540_000, error: null, failingSince: null },
      { place: 'cloudflare', id: '20261201T120000', since: now - 86_400_000 * 6, error: `HTTP 429 rate limited ${HOSTILE}`, failingSince: now - 300_000 },
    ],
    dane: [
      // a renewed certificate: the new key presented and published, the old one kept for 2 x TTL
      { host: 'mx1.example.com', presented: NEW, published: [NEW, OLD], mismatch: null },
      { host: 'mx2.example.com', presented: ROGUE, published: [OLD], mismatch: { key: ROGUE, until: now + 30_000 } },
      { host: 'mx3.example.com', presented: OLD, published: [], mismatch: null },
    ],
  };
}

function withTransport(now: number): ApiState {
  const state = cannedState(now);
  state.transport = transport(now);
  state.records.push({ name: '_smtp._tls.example.com', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.net/tlsrpt"'], source: 'auth', pool: null });
  return state;
}

const c = useCannedPage('127.19.0.2', () => withTransport(Date.now()), 'transport-token');
let server: CannedServer;
let context: BrowserContext;
let page: Page;
let errors: string[];
beforeEach(() => ({ server, context, page, errors } = c));
const row = (key: string) => page.locator(`[data-transport="${key}"]`);

describe('transport-security panel', () => {
  it('shows MTA-STS mode and id, where the id is carried, the held MX name and what it waits for', async () => {
    expect(await page.locator('#transport-section').isVisible()).toBe(true);
    expect(await page.locator('#transport-title').textContent()).toBe('Transport security');
    expect(await row('mta-sts').innerText()).toBe(`mode enforce · policy id ${ID} · 4 MX names in the policy`);
    expect(await row('mta-sts').locator('b').getAttribute('class')).toBe('ok-text');
    expect(await row('sts-places').locator('[data-place="nameserver"]').innerText()).toMatch(new RegExp(`^nameserver: id ${ID} since (\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d:\\d\\d$`));
    const cloudflare = await row('sts-places').locator('[data-place="cloudflare"]').innerText();
    expect(cloudflare).toMatch(/^cloudflare: id 20261201T120000 since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · sync failing since (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d: HTTP 429 rate limited /);
    expect(cloudflare).toContain(HOSTILE);
    // one line per held name, saying what it waits for
    expect(await row('held-mx').locator('[data-held]').count()).toBe(1);
    expect(await row('held-mx').innerText()).toBe('mx4.example.com: waits until cloudflare carries the policy id, then one TTL');
  });

  it('shows the TLS-RPT addresses and the DANE state of each MX host: rollover, mismatch, no TLSA', async () => {
    expect(await row('tls-rpt').innerText()).toBe('mailto:tlsrpt@example.com, https://reports.example.net/tlsrpt');
    const dane = row('dane');
    expect(await dane.locator('div').first().textContent()).toBe('TLSA published for 2 of 3 MX hosts');
    expect(await dane.locator('[data-dane="mx1.example.com"]').innerText()).toBe('mx1.example.com: rollover in progress: 2 TLSA keys published, presents 1 1 b7b7b7b7…, also 1 1 0a0a0a0a…');
    expect(await dane.locator('[data-dane="mx1.example.com"] span').getAttribute('class')).toBe('warn-text');
    expect(await dane.locator('[data-dane="mx1.example.com"] span').getAttribute('title')).toBe(`${NEW} / ${OLD}`);
    expect(await dane.locator('[data-dane="mx2.example.com"]').innerText()).toMatch(/^mx2\.example\.com: presents 1 1 c3c3c3c3…, which no TLSA published long enough matches \(matched from \d\d:\d\d:\d\d\)$/);
    expect(await dane.locator('[data-dane="mx2.example.com"] span').getAttribute('class')).toBe('bad-text');
    expect(await dane.locator('[data-dane="mx3.example.com"]').innerText()).toBe('mx3.example.com: no TLSA published (presents 1 1 0a0a0a0a…)');
    expect(await page.locator('img').count()).toBe(0);
  });

  it('updates in place: the rollover ends, the held name enters MX; gone without transport', async () => {
    const t = server.state.transport!;
    t.dane[0]!.published = [NEW];
    t.heldMx = [];
    t.stsPlaces[2] = { place: 'cloudflare', id: ID, since: Date.now(), error: null, failingSince: null };
    await expect.poll(() => row('dane').locator('[data-dane="mx1.example.com"]').innerText(), { timeout: 8000 })
      .toBe('mx1.example.com: TLSA published, matches the key presented (1 1 b7b7b7b7…)');
    expect(await row('held-mx').innerText()).toBe('none: every policy name may be in MX');
    expect(await row('sts-places').locator('[data-place="cloudflare"] .bad-text').count()).toBe(0);
    // narrow window: the panel wraps, nothing scrolls sideways
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    expect(await hasHorizontalScroll(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
    // a reload that drops auth.mtaSts and auth.dane: no transport, no panel
    delete server.state.transport;
    await expect.poll(() => page.locator('#transport-section').isVisible(), { timeout: 8000 }).toBe(false);
  });

  it('is not there without transport in api/state, and says MTA-STS is off with DANE only', async () => {
    const other = await context.newPage();
    errors.push(...collectConsoleErrors(other));
    server.state = cannedState(Date.now());
    await other.goto(server.url);
    await other.locator('[data-host="mx1.example.com"]').waitFor();
    await other.waitForTimeout(500);
    expect(await other.locator('#transport-section').isVisible()).toBe(false);
    expect(await other.locator('#transport [data-transport]').count()).toBe(0);
    server.state.transport = { ...transport(Date.now()), mtaSts: null, heldMx: [], stsPlaces: [] };
    await expect.poll(() => other.locator('#transport-section').isVisible(), { timeout: 8000 }).toBe(true);
    expect(await other.locator('[data-transport="mta-sts"]').innerText()).toBe('off (no auth.mtaSts)');
    expect(await other.locator('[data-transport="held-mx"]').count()).toBe(0);
    expect(await other.locator('[data-transport="tls-rpt"]').innerText()).toBe('not published (auth.tlsRpt): failed deliveries go unreported');
  });
});
