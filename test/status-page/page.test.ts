// The status page in a real browser (Debian Chromium) against a canned /api/state: what it shows,
// that it refreshes itself, drain/undrain with the token dialog, keyboard use, a narrow window,
// escaping of hostile API text, and no console errors.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  artifactPath, attributes, collectConsoleErrors, computedStyle, focusedKey, focusedProperty, focusOutline, hasHorizontalScroll,
  chartBars, launchChromium, rightEdges, storedToken, tokenDialogOpen,
} from './browser.ts';
import { startCannedServer, type CannedServer } from './canned-server.ts';
import { cannedState, HOSTILE } from './canned-state.ts';

const TOKEN = 's3cret-token';
let browser: Browser;
let server: CannedServer;
let context: BrowserContext;
let page: Page;
let errors: string[];
/** console messages a test expects (e.g. Chromium logging a 401 it provoked) */
let allowedErrors: RegExp[];

const card = (name: string) => page.locator(`[data-host="${name}"]`);

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startCannedServer('127.0.6.1', cannedState(Date.now()), TOKEN);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  errors = collectConsoleErrors(page);
  allowedErrors = [];
  await page.goto(server.url);
  await card('mx1.example.com').waitFor();
});
afterEach(async () => {
  await context?.close();
  await server?.close();
  expect(errors.filter((e) => !allowedErrors.some((re) => re.test(e)))).toEqual([]);
});

describe('status page over a canned /api/state', () => {
  it('shows each pool and host: state with colour, time in state, probe, TLS, weight, latency chart', async () => {
    await expect.poll(() => page.locator('#serial').textContent()).toBe('2026113001');
    expect(await attributes(page, '[data-pool]', 'data-pool')).toEqual(['inbound', 'outbound']);
    expect(await attributes(page, '[data-host]', 'data-host')).toEqual([
      'mx1.example.com', 'mx2.example.com', 'mx3.example.com', 'relay1.example.com', 'relay2.example.com',
    ]);
    expect(await attributes(page, '[data-host]', 'data-state')).toEqual(['healthy', 'unhealthy', 'draining', 'healthy', 'disabled']);
    // colour: each state has its own border and badge colour, and a text label
    const colour = (name: string) => computedStyle(page, `[data-host="${name}"]`, 'border-left-color');
    const colours = await Promise.all(['mx1.example.com', 'mx2.example.com', 'mx3.example.com', 'relay2.example.com'].map(colour));
    expect(new Set(colours).size).toBe(4);
    expect(await card('mx2.example.com').locator('.state').textContent()).toBe('unhealthy');

    const mx1 = await card('mx1.example.com').innerText();
    expect(mx1).toMatch(/in state\s+1h 02m \(since /);
    expect(mx1).toMatch(/last probe\s+ok through quit · 12 ms · \d+s ago/);
    expect(mx1).toMatch(/TLS\s+TLSv1\.3 · certificate 82 days left/);
    expect(mx1).toMatch(/weight\s+2/);
    expect(mx1).toMatch(/DNS\s+published/);
    expect(await chartBars(page, 'mx1.example.com')).toEqual({ ok: 60, failed: 0 });
    expect(await card('mx1.example.com').locator('svg.chart').getAttribute('data-points')).toBe('60');
    expect(mx1).toContain('Latency, last 60 probes, median');

    const mx2 = await card('mx2.example.com').innerText();
    expect(mx2).toContain(`failed at greeting: greeting 421 ${HOSTILE}`);
    expect(mx2).toMatch(/TLS\s+not reached/);
    expect(mx2).toMatch(/DNS\s+withdrawn/);
    expect(await chartBars(page, 'mx2.example.com')).toEqual({ ok: 27, failed: 13 });
    expect(await card('mx2.example.com').locator('svg.chart').getAttribute('aria-label')).toMatch(/13 failed/);

    expect(await card('mx3.example.com').locator('.bad-text', { hasText: 'certificate 5 days left' }).count()).toBe(1);
    expect(await card('mx3.example.com').locator('.safe').textContent()).toMatch(/^Safe to stop after \d\d:\d\d:\d\d \(in \d+s\)$/);
    expect(await card('mx3.example.com').locator('[data-focus-key^="drain:"]').textContent()).toBe('Undrain');
    expect(await card('relay1.example.com').innerText()).toMatch(/published · in SPF/);
    expect(await card('relay2.example.com').getByRole('button').count()).toBe(0); // hidden: disabled in config
    expect(await card('relay2.example.com').innerText()).toContain('disabled in the config');
  });

  it('shows records, serial, provider syncs, audit findings by severity and notes; API text stays text', async () => {
    const rows = page.locator('#records tbody tr');
    await expect.poll(() => rows.count()).toBe(5);
    expect(await page.locator('tr[data-record="s1._domainkey.example.com TXT"]').innerText()).toContain('v=DKIM1; k=rsa;');
    expect(await page.locator('[data-pool="inbound"] [data-published]').innerText()).toMatch(/MX example\.com\s+10 mx1\.example\.com\./);
    expect(await page.locator('[data-provider="route53"]').innerText()).toMatch(/route53 · ok · 2 changes · 3\ds ago/);
    expect(await page.locator('[data-provider="cloudflare"] .bad-text').textContent()).toBe('failed: HTTP 429 rate limited, retrying next run');
    expect(await page.locator('[data-count]').allTextContents()).toEqual(['1 error', '1 warning', '1 info']);
    expect(await attributes(page, 'ul[data-severity]', 'data-severity')).toEqual(['error', 'warning', 'info']);
    expect(await page.locator('ul[data-severity="error"]').innerText()).toContain('spf-too-many-lookups');
    expect(await page.locator('#notes').innerText()).toContain('relay2.example.com is disabled in the config');
    expect(await page.locator('[data-spf-grace="192.0.2.22"]').innerText()).toMatch(/^192\.0\.2\.22 \(removed host relay3\.example\.com\) is no longer in the config; SPF keeps it until (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d/);
    expect(await page.locator('#nameserver').textContent()).toBe('127.0.0.1:5353 · 1234 queries');
    // a refused reload: the banner says the old config still runs, and lists every mistake as text
    const refused = await page.locator('[data-reload-error]').innerText();
    // the config was loaded 2 h before the canned document: between midnight and 2 am that was
    // yesterday, and the page adds the date to a time that is not today's (fmtClock)
    expect(refused).toMatch(/^Config reload refused at (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d \(SIGHUP\): serve still runs the config loaded at (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\./);
    expect(refused).toContain('/etc/mxpool/mxpool.yaml:12:16: pools.0.hosts.1.address: an IPv4 or IPv6 address');
    expect(refused).toContain(HOSTILE);
    // the hostile strings are shown literally and created no element, ran no script
    expect(await page.locator('ul[data-severity="info"]').innerText()).toContain(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
  });

  it('refreshes itself without reloading: a host turning unhealthy, a new serial, focus kept', async () => {
    let navigations = 0;
    page.on('framenavigated', () => { navigations += 1; });
    const button = card('mx1.example.com').getByRole('button', { name: 'Drain mx1.example.com' });
    await button.focus();
    const mx1 = server.state.pools[0]!.hosts[0]!;
    mx1.state = 'unhealthy';
    mx1.inDns = false;
    mx1.since = Date.now();
    mx1.lastProbe = { ok: false, stage: 'connect', reason: 'connection refused', ms: 1, at: Date.now(), tls: null };
    server.state.serial += 1;
    await expect.poll(() => card('mx1.example.com').getAttribute('data-state'), { timeout: 8000 }).toBe('unhealthy');
    expect(await card('mx1.example.com').innerText()).toMatch(/failed at connect: connection refused/);
    expect(await page.locator('#serial').textContent()).toBe('2026113002');
    expect(await page.locator('#changes').innerText()).toMatch(/mx1\.example\.com is now unhealthy: connection refused/);
    expect(await page.locator('#announcer').textContent()).toContain('mx1.example.com is now unhealthy: connection refused');
    expect(await page.locator('#announcer').getAttribute('aria-live')).toBe('polite');
    expect(navigations).toBe(0);
    expect(await focusedKey(page)).toBe('drain:mx1.example.com');
    // a new host (config reload) rebuilds the layout; the focused button is focused again
    server.state.pools[0]!.hosts.push({ ...server.state.pools[0]!.hosts[2]!, name: 'mx4.example.com', address: '192.0.2.13' });
    await card('mx4.example.com').waitFor({ timeout: 8000 });
    expect(await focusedKey(page)).toBe('drain:mx1.example.com');
  });

  it('drains with the keyboard: Tab to the button, Enter, token asked once, safe-to-stop time shown', async () => {
    let focusKey: string | null | undefined;
    for (let i = 0; i < 10 && focusKey !== 'drain:mx1.example.com'; i++) {
      await page.keyboard.press('Tab');
      focusKey = await focusedKey(page);
    }
    expect(focusKey).toBe('drain:mx1.example.com');
    // focus is visible: the focused button draws an outline
    expect(await focusOutline(page)).toBe('solid');
    await page.keyboard.press('Enter');
    await expect.poll(() => tokenDialogOpen(page)).toBe(true);
    expect(await focusedProperty(page, 'id')).toBe('token-input');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#drain-result').textContent()).toMatch(
      /^mx1\.example\.com drained: out of DNS now \(zone serial 2026113002\)\. Safe to stop after \d\d:\d\d:\d\d/,
    );
    expect(server.posts).toEqual([{ path: '/api/hosts/mx1.example.com/drain', authorization: `Bearer ${TOKEN}` }]);
    await expect.poll(() => card('mx1.example.com').getAttribute('data-state')).toBe('draining');
    expect(await card('mx1.example.com').locator('.safe').textContent()).toMatch(/^Safe to stop after \d\d:\d\d:\d\d \(in (\d+s|1m 00s)\)$/);
    expect(await storedToken(page)).toBe(TOKEN);
    // focus went back to the button, which now offers Undrain; the token is not asked again
    expect(await focusedKey(page)).toBe('drain:mx1.example.com');
    await expect.poll(() => focusedProperty(page, 'textContent')).toBe('Undrain');
    await page.keyboard.press('Enter');
    await expect.poll(() => card('mx1.example.com').getAttribute('data-state')).toBe('healthy');
    expect(await tokenDialogOpen(page)).toBe(false);
    expect(server.posts[1]).toEqual({ path: '/api/hosts/mx1.example.com/undrain', authorization: `Bearer ${TOKEN}` });
    expect(await page.locator('#drain-result').textContent()).toMatch(/^mx1\.example\.com undrained/);
    expect(await card('mx1.example.com').locator('.safe').textContent()).toBe('');
  });

  it('asks again when the token is refused, and does nothing when cancelled', async () => {
    allowedErrors = [/401 \(Unauthorized\)/];
    await card('mx1.example.com').getByRole('button', { name: 'Drain mx1.example.com' }).click();
    await page.locator('#token-input').fill('wrong-token');
    await page.locator('#token-ok').click();
    await expect.poll(() => page.locator('#token-why').textContent()).toMatch(/^The token was refused \(a valid Bearer token is required\)/);
    expect(await tokenDialogOpen(page)).toBe(true);
    expect(await storedToken(page)).toBeNull();
    await page.locator('#token-input').fill(TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => card('mx1.example.com').getAttribute('data-state')).toBe('draining');
    expect(server.posts.map((p) => p.authorization)).toEqual(['Bearer wrong-token', `Bearer ${TOKEN}`]);

    // a fresh tab (new sessionStorage): Escape on the dialog cancels, nothing is sent
    const other = await context.newPage();
    errors.push(...collectConsoleErrors(other));
    await other.goto(server.url);
    await other.locator('[data-host="mx2.example.com"] button.drain').click();
    await expect.poll(() => tokenDialogOpen(other)).toBe(true);
    await other.keyboard.press('Escape');
    await expect.poll(() => other.locator('#drain-result').textContent()).toBe('drain of mx2.example.com cancelled.');
    expect(server.posts).toHaveLength(2);
  });

  it('asks for no token when serve runs without one (writeAuth none)', async () => {
    server.state.writeAuth = 'none';
    server.acceptAnyToken = true;
    await page.reload();
    await card('mx1.example.com').getByRole('button', { name: 'Drain mx1.example.com' }).click();
    await expect.poll(() => card('mx1.example.com').getAttribute('data-state')).toBe('draining');
    expect(await tokenDialogOpen(page)).toBe(false);
    expect(server.posts).toEqual([{ path: '/api/hosts/mx1.example.com/drain', authorization: undefined }]);
  });

  it('keeps the last data and says so when the API is unreachable, and recovers', async () => {
    allowedErrors = [/503 \(Service Unavailable\)/];
    server.failState = 503;
    await expect.poll(() => page.locator('#connection').isVisible(), { timeout: 8000 }).toBe(true);
    expect(await page.locator('#connection').textContent()).toMatch(/^Cannot read mxpool state: api\/state answered HTTP 503/);
    expect(await page.locator('[data-host]').count()).toBe(5);
    server.failState = null;
    await expect.poll(() => page.locator('#connection').isVisible(), { timeout: 8000 }).toBe(false);
  });

  it('is readable in a 360 px wide window: no horizontal scroll, every card inside the viewport', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    expect(await hasHorizontalScroll(page)).toBe(false);
    const rights = await rightEdges(page, '[data-host], #records tr, [data-finding]');
    expect(rights.length).toBeGreaterThan(10);
    for (const right of rights) expect(right).toBeLessThanOrEqual(360);
    await page.screenshot({ path: artifactPath('status-page-canned-360px.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: artifactPath('status-page-canned.png'), fullPage: true });
  });
});
