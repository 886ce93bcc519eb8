// Headless Debian Chromium for the status-page tests, driven by playwright-core. Never a downloaded
// browser: when /usr/bin/chromium is missing the tests fail with a message saying what to install.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.MXPOOL_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACT_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts');

export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: the status-page tests drive Debian's Chromium ` +
        '(apt-get install chromium; .ci/run installs it). Set MXPOOL_CHROMIUM to use another binary.',
    );
  }
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** Everything the page said on the console at level error, plus uncaught exceptions. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  return join(ARTIFACT_DIR, name);
}

/** True when the page scrolls sideways (content wider than the viewport). */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}

// In-page expressions are strings: this project type-checks without the DOM library.

/** data-focus-key of the focused element (null when it has none). */
export function focusedKey(page: Page): Promise<string | null> {
  return page.evaluate<string | null>('document.activeElement ? document.activeElement.getAttribute("data-focus-key") : null');
}

export function focusedProperty(page: Page, property: 'id' | 'textContent'): Promise<string | null> {
  return page.evaluate<string | null>(`document.activeElement ? document.activeElement.${property} : null`);
}

export function focusOutline(page: Page): Promise<string> {
  return page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
}

export function tokenDialogOpen(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.getElementById("token-dialog").open');
}

export function storedToken(page: Page): Promise<string | null> {
  return page.evaluate<string | null>('sessionStorage.getItem("mxpool.token")');
}

/** One attribute of every element matching the CSS selector, in document order. */
export function attributes(page: Page, selector: string, name: string): Promise<(string | null)[]> {
  return page.evaluate<(string | null)[]>(`Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.getAttribute(${JSON.stringify(name)}))`);
}

/** A computed style property of the first element matching the selector. */
export function computedStyle(page: Page, selector: string, property: string): Promise<string> {
  return page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(property)})`);
}

/** The right edge (px) of every element matching the selector. */
export function rightEdges(page: Page, selector: string): Promise<number[]> {
  return page.evaluate<number[]>(`Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.getBoundingClientRect().right)`);
}

/** Bars in a host's latency chart, counted from its two SVG paths (one subpath per probe). */
export function chartBars(page: Page, host: string): Promise<{ ok: number; failed: number }> {
  return page.evaluate<{ ok: number; failed: number }>(`(() => {
    const chart = document.querySelector('[data-host=' + ${JSON.stringify(JSON.stringify(host))} + '] svg.chart');
    const count = (selector) => {
      const path = chart ? chart.querySelector(selector) : null;
      return path ? (path.getAttribute('d').match(/M/g) || []).length : 0;
    };
    return { ok: count('path.bar'), failed: count('path.fail') };
  })()`);
}
