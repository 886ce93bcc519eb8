// Disable / enable from the status page over a REAL `mxpool serve` (real API, token auth): three
// smtp-server hosts on 127.19.0.11-13, the third `disabled: true` in the config; the built-in
// nameserver read with dig. Disable through the token dialog takes the host out of the DNS answer,
// Enable brings it back; the config-disabled host offers no button and says why, and the API
// indeed refuses to enable it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { attributes, collectConsoleErrors, launchChromium, storedToken, tokenDialogOpen } from './browser.ts';

const TOKEN = 'disable-test-token-19';
const ADDRESSES = ['127.19.0.11', '127.19.0.12', '127.19.0.13'];
const LONG = { timeout: 20_000, interval: 200 };

describe('disable and enable from the status page over a real daemon', () => {
  let daemon: TestDaemon;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const card = (n: number) => page.locator(`[data-host="mx${n}.example.com"]`);
  const buttons = (n: number) => card(n).getByRole('button').allTextContents();
  const poolAddresses = async () => (await daemon.dig('mx.example.com', 'A')).sort();
  const mxNames = async () => (await daemon.dig('example.com', 'MX')).sort();

  beforeAll(async () => {
    daemon = await startTestDaemon({
      addresses: ADDRESSES,
      dns: '127.19.0.10:5319',
      http: '127.19.0.10:8119',
      token: TOKEN,
      ttl: 5,
      editConfig: (config) => {
        const [inbound] = config.pools as { hosts: Record<string, unknown>[] }[];
        inbound!.hosts[2]!.disabled = true;
      },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectConsoleErrors(page);
    await page.goto(`${daemon.url}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.close();
  });

  it('shows the config-disabled host without a button, saying why; the others with Drain and Disable', async () => {
    await expect.poll(() => attributes(page, '[data-host]', 'data-state'), LONG).toEqual(['healthy', 'healthy', 'disabled']);
    expect(await buttons(1)).toEqual(['Drain', 'Disable']);
    expect(await buttons(2)).toEqual(['Drain', 'Disable']);
    expect(await buttons(3)).toEqual([]);
    expect(await card(3).locator('.actions').innerText()).toBe('disabled in the config (disabled: true): enable it there and reload; the page cannot');
    // what a button would have met: serve keeps the host disabled
    const refused = await fetch(`${daemon.url}/api/hosts/mx3.example.com/enable`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(((await refused.json()) as { state: string }).state).toBe('disabled');
    await expect.poll(poolAddresses, LONG).toEqual(['127.19.0.11', '127.19.0.12']);
    expect(await mxNames()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
  });

  it('disables a host through the token dialog: it leaves DNS; Enable brings it back', async () => {
    const serialBefore = Number(await page.locator('#serial').textContent());
    await card(2).getByRole('button', { name: 'Disable mx2.example.com' }).click();
    await expect.poll(() => tokenDialogOpen(page)).toBe(true);
    await page.locator('#token-input').fill(TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#drain-result').textContent(), LONG).toMatch(
      /^mx2\.example\.com disabled: out of DNS now \(zone serial (\d+)\)\. It stays out, across restarts, until enabled\.$/,
    );
    const disabledSerial = Number(/zone serial (\d+)/.exec((await page.locator('#drain-result').textContent())!)![1]);
    expect(disabledSerial).toBeGreaterThan(serialBefore);
    await expect.poll(() => card(2).getAttribute('data-state'), LONG).toBe('disabled');
    expect(await buttons(2)).toEqual(['Enable']);
    expect(await storedToken(page)).toBe(TOKEN);
    // the nameserver answers without it, from the serial the page reported (or a later one)
    await expect.poll(poolAddresses, LONG).toEqual(['127.19.0.11']);
    expect(await mxNames()).toEqual(['10 mx1.example.com.']);
    const [soa] = await daemon.dig('example.com', 'SOA');
    expect(Number(soa!.split(/\s+/)[2])).toBeGreaterThanOrEqual(disabledSerial);

    await card(2).getByRole('button', { name: 'Enable mx2.example.com' }).click();
    expect(await tokenDialogOpen(page)).toBe(false);
    await expect.poll(() => page.locator('#drain-result').textContent(), LONG).toMatch(
      /^mx2\.example\.com enabled: (healthy, back in DNS|unhealthy, back in DNS once healthy) \(zone serial \d+\)\.$/,
    );
    await expect.poll(() => card(2).getAttribute('data-state'), LONG).toBe('healthy');
    expect(await buttons(2)).toEqual(['Drain', 'Disable']);
    await expect.poll(poolAddresses, LONG).toEqual(['127.19.0.11', '127.19.0.12']);
    expect(await mxNames()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    expect(errors).toEqual([]);
  });
});
