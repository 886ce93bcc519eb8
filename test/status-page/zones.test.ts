// The Zones panel in a real browser (Debian Chromium) with 10,001 zones: counts and a search box,
// never 10,000 rows. The page polls api/state without the zone list (?zones=none) and asks
// api/zones for at most 50 matches; hostile zone notes show as text; no tenants, no panel.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectConsoleErrors, launchChromium } from './browser.ts';
import { startCannedServer, type CannedServer } from './canned-server.ts';
import { cannedState, HOSTILE } from './canned-state.ts';
import { zoneCounts } from '../../src/http/zones.ts';
import type { ApiState, ApiZone } from '../../src/http/types.ts';

const TENANTS = 10_000;
let browser: Browser;
let server: CannedServer;
let context: BrowserContext;
let page: Page;
let errors: string[];

function manyZones(now: number): ApiState {
  const state = cannedState(now);
  const zones: ApiZone[] = [{ zone: 'example.com', kind: 'zone', serial: 2026113001, mx: ['mx1.example.com'], notes: [], providers: [] }];
  for (let i = 0; i < TENANTS; i++) {
    const broken = i === 4242;
    zones.push({
      zone: `customer${i}.example`,
      kind: 'tenant',
      serial: 2026113000 + (i % 7),
      mx: broken ? [] : ['mx1.example.com', 'mx2.example.com'],
      notes: broken ? [`customer${i}.example: no MX published ${HOSTILE}`] : [],
      providers: i === 7 ? [{ name: 'route53', at: now - 5000, ok: false, changes: 0, error: 'Throttling: Rate exceeded' }] : [],
    });
  }
  return { ...state, zones, zoneCounts: zoneCounts(zones) };
}

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await server?.close();
  expect(errors).toEqual([]);
});

async function open(state: ApiState): Promise<void> {
  server = await startCannedServer('127.13.0.50', state, 'token');
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  errors = collectConsoleErrors(page);
  await page.goto(server.url);
  await page.locator('[data-host="mx1.example.com"]').waitFor();
}

const rows = () => page.locator('#zone-results tr[data-zone]');

describe('the Zones panel', () => {
  it('shows counts and the first 50 zones, not 10,001 rows; the poll leaves the list on the server', async () => {
    await open(manyZones(Date.now()));
    await expect.poll(() => page.locator('[data-count="zones"]').textContent()).toBe('10,001 zones');
    expect(await page.locator('[data-count="tenants"]').textContent()).toBe('10,000 tenant');
    expect(await page.locator('[data-count="without-mx"]').textContent()).toBe('1 without MX');
    expect(await page.locator('[data-count="with-notes"]').textContent()).toBe('1 with notes');
    expect(await page.locator('[data-count="sync-failing"]').textContent()).toBe('1 failing to sync');
    await expect.poll(() => rows().count()).toBe(50);
    expect(await page.locator('#zone-status').textContent()).toBe('Showing 50 of 10,001 zones: type more of a name to narrow it down.');
    expect(await rows().first().getAttribute('data-zone')).toBe('example.com');
    expect(await page.locator('tr').count()).toBeLessThan(80); // the whole page, every table
    expect(server.queries.filter((q) => q.startsWith('/api/state')).every((q) => q === '/api/state?zones=none')).toBe(true);
  });

  it('the search box narrows the rows as one types; a zone without MX and its notes stand out, as text', async () => {
    await open(manyZones(Date.now()));
    await expect.poll(() => rows().count()).toBe(50);
    await page.locator('#zone-search').fill('CUSTOMER42');
    await expect.poll(() => page.locator('#zone-status').textContent()).toBe('Showing 50 of 111 zones matching "customer42": type more of a name to narrow it down.');
    await page.locator('#zone-search').fill('customer4242.example');
    await expect.poll(() => rows().count()).toBe(1);
    const row = page.locator('tr[data-zone="customer4242.example"]');
    expect(await row.locator('td').nth(1).textContent()).toBe(String(2026113000 + (4242 % 7)));
    expect(await row.locator('td').nth(2).textContent()).toBe('none');
    expect(await row.locator('td').nth(4).textContent()).toBe(`customer4242.example: no MX published ${HOSTILE}`);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.locator('#zone-search').fill('nosuch');
    await expect.poll(() => page.locator('#zone-status').textContent()).toBe('No zone matches "nosuch".');
    expect(await rows().count()).toBe(0);
  });

  it('follows new serials with each poll, keeping the search', async () => {
    const state = manyZones(Date.now());
    await open(state);
    await page.locator('#zone-search').fill('customer7.example');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await page.locator('tr[data-zone="customer7.example"] td').nth(3).textContent()).toBe('route53: failed: Throttling: Rate exceeded');
    const zone = state.zones.find((z) => z.zone === 'customer7.example') as ApiZone;
    zone.serial = 2026113099;
    await expect.poll(() => page.locator('tr[data-zone="customer7.example"] td').nth(1).textContent(), { timeout: 10_000 }).toBe('2026113099');
  });

  it('is hidden without tenants', async () => {
    await open(cannedState(Date.now()));
    await expect.poll(() => page.locator('#serial').textContent()).toBe('2026113001');
    expect(await page.locator('#zones-section').isHidden()).toBe(true);
    expect(server.queries.some((q) => q.startsWith('/api/zones'))).toBe(false);
  });
});
