// Disable / enable on the status page, in Debian Chromium against a canned /api/state: the buttons
// each state offers, disable then enable by keyboard through the token dialog (the same dialog and
// result box as drain), a host disabled in the config offering nothing and saying why, and an
// Enable that the config overrules in the meantime.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { focusedKey, focusedProperty, storedToken, tokenDialogOpen } from './browser.ts';
import type { CannedServer } from './canned-server.ts';
import { useCannedPage } from './canned-page.ts';
import { cannedState } from './canned-state.ts';

const TOKEN = 'actions-token-19';
const c = useCannedPage('127.19.0.1', () => cannedState(Date.now()), TOKEN);
let server: CannedServer;
let page: Page;
beforeEach(() => ({ server, page } = c));
const card = (name: string) => page.locator(`[data-host="${name}"]`);
/** the buttons a card shows (hidden ones are not in the accessibility tree) */
const buttons = (name: string) => card(name).getByRole('button').allTextContents();
const result = () => page.locator('#drain-result');

describe('disable and enable on the status page (canned API)', () => {
  it('offers the right buttons per state: Drain+Disable, Undrain+Disable, only Enable, nothing when the config disables the host', async () => {
    expect(await buttons('mx1.example.com')).toEqual(['Drain', 'Disable']); // healthy
    expect(await buttons('mx2.example.com')).toEqual(['Drain', 'Disable']); // unhealthy
    expect(await buttons('mx3.example.com')).toEqual(['Undrain', 'Disable']); // draining
    expect(await card('mx1.example.com').getByRole('button', { name: 'Disable mx1.example.com' }).count()).toBe(1);
    // disabled in the config: no button that the API would refuse, and the card says what to do instead
    expect(await buttons('relay2.example.com')).toEqual([]);
    expect(await card('relay2.example.com').locator('.actions').innerText()).toBe('disabled in the config (disabled: true): enable it there and reload; the page cannot');
    // disabled at run time: Enable only (draining a host out of DNS already would change nothing);
    // disabled elsewhere while its Drain button has focus, focus moves to Enable rather than being lost
    await card('mx2.example.com').getByRole('button', { name: 'Drain mx2.example.com' }).focus();
    const mx2 = server.state.pools[0]!.hosts[1]!;
    mx2.state = 'disabled';
    mx2.inDns = false;
    await expect.poll(() => buttons('mx2.example.com'), { timeout: 8000 }).toEqual(['Enable']);
    expect(await card('mx2.example.com').getByRole('button', { name: 'Enable mx2.example.com' }).count()).toBe(1);
    expect(await card('mx2.example.com').locator('.actions').innerText()).toBe('Enable');
    expect(await focusedKey(page)).toBe('disable:mx2.example.com');
  });

  it('disables and enables with the keyboard: token asked once, result with the new serial, focus kept on the button', async () => {
    let key: string | null = null;
    for (let i = 0; i < 12 && key !== 'disable:mx1.example.com'; i++) {
      await page.keyboard.press('Tab');
      key = await focusedKey(page);
    }
    expect(key).toBe('disable:mx1.example.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => tokenDialogOpen(page)).toBe(true);
    expect(await page.locator('#token-why').textContent()).toMatch(/^Draining, undraining, disabling and enabling need the API token/);
    expect(await focusedProperty(page, 'id')).toBe('token-input');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => result().textContent()).toBe(
      'mx1.example.com disabled: out of DNS now (zone serial 2026113002). It stays out, across restarts, until enabled.',
    );
    expect(await result().getAttribute('class')).toBe('banner warn');
    expect(server.posts).toEqual([{ path: '/api/hosts/mx1.example.com/disable', authorization: `Bearer ${TOKEN}` }]);
    await expect.poll(() => card('mx1.example.com').getAttribute('data-state')).toBe('disabled');
    expect(await buttons('mx1.example.com')).toEqual(['Enable']);
    expect(await card('mx1.example.com').innerText()).toMatch(/DNS\s+withdrawn/);
    expect(await page.locator('#changes').innerText()).toContain('mx1.example.com is now disabled');
    expect(await storedToken(page)).toBe(TOKEN);
    // the same button now offers Enable and still has focus; Enter again, no token asked
    expect(await focusedKey(page)).toBe('disable:mx1.example.com');
    await expect.poll(() => focusedProperty(page, 'textContent')).toBe('Enable');
    await page.keyboard.press('Enter');
    await expect.poll(() => result().textContent()).toBe('mx1.example.com enabled: healthy, back in DNS (zone serial 2026113003).');
    expect(await result().getAttribute('class')).toBe('banner info');
    expect(await tokenDialogOpen(page)).toBe(false);
    expect(server.posts[1]).toEqual({ path: '/api/hosts/mx1.example.com/enable', authorization: `Bearer ${TOKEN}` });
    await expect.poll(() => card('mx1.example.com').getAttribute('data-state')).toBe('healthy');
    expect(await buttons('mx1.example.com')).toEqual(['Drain', 'Disable']);
    expect(await focusedKey(page)).toBe('disable:mx1.example.com');
  });

  it('says so when the config disabled the host after the page offered Enable, and then offers nothing', async () => {
    const relay2 = server.state.pools[1]!.hosts[1]!;
    // a run-time disable the page shows with Enable ...
    relay2.disabledInConfig = false;
    await expect.poll(() => buttons('relay2.example.com'), { timeout: 8000 }).toEqual(['Enable']);
    // ... then a reload sets disabled: true before the operator clicks
    relay2.disabledInConfig = true;
    await page.evaluate('sessionStorage.setItem("mxpool.token", ' + JSON.stringify(TOKEN) + ')');
    await card('relay2.example.com').getByRole('button', { name: 'Enable relay2.example.com' }).click();
    await expect.poll(() => result().textContent()).toBe(
      'relay2.example.com is still disabled: the config disables it (disabled: true); change the config and reload (zone serial 2026113002).',
    );
    expect(await result().getAttribute('class')).toBe('banner bad');
    expect(await tokenDialogOpen(page)).toBe(false);
    await expect.poll(() => buttons('relay2.example.com'), { timeout: 8000 }).toEqual([]);
    expect(await card('relay2.example.com').innerText()).toContain('disabled in the config (disabled: true): enable it there and reload');
  });

  it('says for a relay that SPF follows after twice the TTL', async () => {
    await page.evaluate('sessionStorage.setItem("mxpool.token", ' + JSON.stringify(TOKEN) + ')');
    await card('relay1.example.com').getByRole('button', { name: 'Disable relay1.example.com' }).click();
    await expect.poll(() => result().textContent()).toBe(
      'relay1.example.com disabled: out of DNS now (zone serial 2026113002), and out of SPF after twice the TTL (it may still flush its queue until then). It stays out, across restarts, until enabled.',
    );
    expect(await tokenDialogOpen(page)).toBe(false);
    await expect.poll(() => buttons('relay1.example.com')).toEqual(['Enable']);
  });

  it('cancelling the dialog sends nothing and says so', async () => {
    await card('mx2.example.com').getByRole('button', { name: 'Disable mx2.example.com' }).click();
    await expect.poll(() => tokenDialogOpen(page)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => result().textContent()).toBe('disable of mx2.example.com cancelled.');
    expect(server.posts).toEqual([]);
    expect(await card('mx2.example.com').getAttribute('data-state')).toBe('unhealthy');
  });
});
