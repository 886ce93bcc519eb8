// The status page over a REAL `mxpool serve`: three smtp-server hosts (own processes) on 127.0.6.x,
// the built-in nameserver queried with dig, the Route 53 provider (real SDK) against the local fake.
// In headless Debian Chromium: the states shown, a killed SMTP server turning unhealthy without a
// reload, a drain by keyboard through the token dialog changing the page and the DNS answer, a
// narrow window, no console errors, and screenshots kept in test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import type { ApiState } from '../../src/http/types.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import {
  artifactPath, attributes, chartBars, collectConsoleErrors, focusedKey, focusedProperty, hasHorizontalScroll, launchChromium,
  rightEdges, storedToken, tokenDialogOpen,
} from './browser.ts';

const TOKEN = 'page-test-token-6';
const ADDRESSES = ['127.0.6.11', '127.0.6.12', '127.0.6.13'];
const LONG = { timeout: 20_000, interval: 200 };

describe('status page over a real daemon with three SMTP hosts', () => {
  let fake: Route53Fake;
  let daemon: TestDaemon;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let navigations = 0;

  const card = (n: number) => page.locator(`[data-host="mx${n}.example.com"]`);
  const poolAddresses = async () => (await daemon.dig('mx.example.com', 'A')).sort();

  beforeAll(async () => {
    fake = await Route53Fake.start({ host: '127.0.6.10', zoneId: 'Z0PAGE', zoneName: 'example.com' });
    daemon = await startTestDaemon({
      addresses: ADDRESSES,
      dns: '127.0.6.10:5306',
      http: '127.0.6.10:8106',
      token: TOKEN,
      ttl: 5,
      extra: { providers: { route53: { hostedZoneId: 'Z0PAGE', endpoint: fake.endpoint, schedule: '*/1 * * * *' } } },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectConsoleErrors(page);
    await page.goto(`${daemon.url}/`);
    page.on('framenavigated', () => { navigations += 1; });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.close();
    await fake?.close();
  });

  it('shows the three hosts healthy, with probes, latency charts, records, serial and the provider sync', async () => {
    await expect.poll(() => attributes(page, '[data-host]', 'data-state'), LONG).toEqual(['healthy', 'healthy', 'healthy']);
    expect(await attributes(page, '[data-host]', 'data-host')).toEqual(['mx1.example.com', 'mx2.example.com', 'mx3.example.com']);
    expect(await card(1).innerText()).toMatch(/last probe\s+ok through \w+ · [\d.]+ m?s · /);
    expect(await card(1).innerText()).toMatch(/address\s+127\.0\.6\.11:\d+/);
    expect(await card(1).innerText()).toMatch(/weight\s+1/);
    expect(await card(1).innerText()).toMatch(/DNS\s+published/);
    await expect.poll(async () => (await chartBars(page, 'mx1.example.com')).ok, LONG).toBeGreaterThan(1);
    expect(await page.locator('[data-pool="inbound"] [data-healthy]').textContent()).toMatch(/^3 of 3 healthy/);
    // the page refreshes on its own schedule: a zone published since its last refresh shows up at the next
    await expect.poll(async () => Number(await page.locator('#serial').textContent()) === (await daemonSerial()), LONG).toBe(true);
    expect(Number(await page.locator('#serial').textContent())).toBeGreaterThan(0);
    expect(await page.locator('tr[data-record="example.com MX"]').innerText()).toContain('10 mx1.example.com.');
    expect(await page.locator('tr[data-record="mx.example.com A"]').innerText()).toContain('127.0.6.13');
    await expect.poll(() => page.locator('[data-provider="route53"]').innerText(), LONG).toMatch(/route53 · ok · \d+ changes? · /);
    expect(await poolAddresses()).toEqual(ADDRESSES);
    expect(await page.locator('#nameserver').textContent()).toMatch(/^127\.0\.6\.10:5306 · \d+ quer(y|ies)$/);
  });

  it('shows the audit of the published zone by severity, as /api/state reports it', async () => {
    await expect.poll(() => page.locator('[data-count]').count(), LONG).toBe(3);
    const state = (await (await fetch(`${daemon.url}/api/state`)).json()) as ApiState;
    const summary = state.audit!.summary;
    expect(await page.locator('[data-count]').allTextContents()).toEqual([
      `${summary.errors} error${summary.errors === 1 ? '' : 's'}`,
      `${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}`,
      `${summary.infos} info`,
    ]);
    const shown = await attributes(page, '[data-finding]', 'data-finding');
    expect(shown.sort()).toEqual(state.audit!.findings.map((f) => f.id).sort());
  });

  it('turns a killed SMTP server unhealthy without reloading, and DNS drops it', async () => {
    await daemon.hosts[1]!.kill('SIGKILL');
    await expect.poll(() => card(2).getAttribute('data-state'), LONG).toBe('unhealthy');
    expect(await card(2).locator('.state').textContent()).toBe('unhealthy');
    expect(await card(2).innerText()).toMatch(/failed at \w+: .*(refused|closed|reset)/i);
    // the zone is republished just after the health change: a refresh in between still shows it published
    await expect.poll(() => card(2).innerText(), LONG).toMatch(/DNS\s+withdrawn/);
    expect((await chartBars(page, 'mx2.example.com')).failed).toBeGreaterThan(0);
    expect(await page.locator('#changes').innerText()).toMatch(/mx2\.example\.com is now unhealthy/);
    await expect.poll(poolAddresses, LONG).toEqual(['127.0.6.11', '127.0.6.13']);
    expect(navigations).toBe(0);
    await page.screenshot({ path: artifactPath('status-page-daemon-unhealthy.png'), fullPage: true });
  });

  it('drains a host by keyboard through the token dialog: the page and the DNS answer change', async () => {
    const before = Number(await page.locator('#serial').textContent());
    let key: string | null = null;
    for (let i = 0; i < 12 && key !== 'drain:mx3.example.com'; i++) {
      await page.keyboard.press('Tab');
      key = await focusedKey(page);
    }
    expect(key).toBe('drain:mx3.example.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => tokenDialogOpen(page)).toBe(true);
    expect(await focusedProperty(page, 'id')).toBe('token-input');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#drain-result').textContent(), LONG).toMatch(
      /^mx3\.example\.com drained: out of DNS now \(zone serial \d+\)\. Safe to stop after \d\d:\d\d:\d\d/,
    );
    await expect.poll(() => card(3).getAttribute('data-state'), LONG).toBe('draining');
    expect(await card(3).locator('.safe').textContent()).toMatch(/^Safe to stop (after \d\d:\d\d:\d\d \(in \d+s\)|now)/);
    expect(await card(3).innerText()).toMatch(/DNS\s+withdrawn/);
    expect(await storedToken(page)).toBe(TOKEN);
    await expect.poll(poolAddresses, LONG).toEqual(['127.0.6.11']);
    expect(await daemon.dig('example.com', 'MX')).toEqual(['10 mx1.example.com.']);
    await expect.poll(() => page.locator('#serial').textContent().then(Number), LONG).toBeGreaterThan(before);
    await page.screenshot({ path: artifactPath('status-page-daemon-drained.png'), fullPage: true });

    // the focused button now offers Undrain; Enter again, no token asked
    expect(await focusedKey(page)).toBe('drain:mx3.example.com');
    await expect.poll(() => focusedProperty(page, 'textContent')).toBe('Undrain');
    await page.keyboard.press('Enter');
    await expect.poll(() => card(3).getAttribute('data-state'), LONG).toBe('healthy');
    expect(await tokenDialogOpen(page)).toBe(false);
    await expect.poll(poolAddresses, LONG).toEqual(['127.0.6.11', '127.0.6.13']);
    expect(navigations).toBe(0);
  });

  it('reads in a 360 px window without horizontal scroll, and logged no console errors', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    expect(await hasHorizontalScroll(page)).toBe(false);
    for (const right of await rightEdges(page, '[data-host], #records tr')) expect(right).toBeLessThanOrEqual(360);
    await page.screenshot({ path: artifactPath('status-page-daemon-360px.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(errors).toEqual([]);
  });

  async function daemonSerial(): Promise<number> {
    const [soa] = await daemon.dig('example.com', 'SOA');
    return Number(soa?.split(/\s+/)[2]);
  }
});
