// The per-file set-up of a status-page test over a canned /api/state: one Chromium for the file, a
// fresh canned server and browser context for each test (so sessionStorage and the state start
// clean), the page loaded, and no console error allowed at the end of a test.
// `const c = useCannedPage('127.19.0.1', () => cannedState(Date.now()), TOKEN)`, then `c.page`.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ApiState } from '../../src/http/types.ts';
import { collectConsoleErrors, launchChromium } from './browser.ts';
import { startCannedServer, type CannedServer } from './canned-server.ts';

export interface CannedPage {
  server: CannedServer;
  context: BrowserContext;
  page: Page;
  /** console errors of `page`; a test may push those of other pages it opens */
  errors: string[];
}

export function useCannedPage(address: string, state: () => ApiState, token: string): CannedPage {
  const current = {} as CannedPage;
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    current.server = await startCannedServer(address, state(), token);
    current.context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    current.page = await current.context.newPage();
    current.errors = collectConsoleErrors(current.page);
    await current.page.goto(current.server.url);
    await current.page.locator('[data-host]').first().waitFor();
  });
  afterEach(async () => {
    await current.context?.close();
    await current.server?.close();
    expect(current.errors).toEqual([]);
  });
  return current;
}
