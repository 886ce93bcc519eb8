// The page as a document: self-contained (nothing fetched from elsewhere), no HTML parsing of data,
// a script that compiles, and a CSP whose hashes match exactly the inline script and style.
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { statusPage, statusPageScript } from '../../src/http/page/index.ts';
import { launchChromium } from './browser.ts';

const page = statusPage();
const hash = (text: string) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

describe('status page document', () => {
  it('is HTML, not cached, with a CSP header', () => {
    expect(page.contentType).toBe('text/html; charset=utf-8');
    expect(page.body.startsWith('<!doctype html>')).toBe(true);
    expect(page.headers['Cache-Control']).toBe('no-store');
    expect(page.headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect(page.headers['Content-Security-Policy']).toContain("connect-src 'self'");
    expect(statusPage()).toBe(page); // built once
  });

  it('loads nothing from elsewhere: no external script, stylesheet, font or image', () => {
    expect(page.body).not.toMatch(/<script[^>]+src=/i);
    expect(page.body).not.toMatch(/<link[^>]+stylesheet/i);
    expect(page.body).not.toMatch(/@import|url\(/i);
    // the only absolute URL is the SVG namespace, an identifier that is never fetched
    const urls = page.body.match(/https?:\/\/[^\s'"<)]+/g) ?? [];
    expect(urls.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true);
  });

  it('never parses API data as HTML', () => {
    const script = statusPageScript();
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'createContextualFragment']) {
      expect(script, sink).not.toContain(sink);
    }
  });

  it('ships a script that compiles, inside one strict function scope', () => {
    const script = statusPageScript();
    expect(() => new Script(script, { filename: 'status-page.js' })).not.toThrow();
    expect(script.startsWith("(function () {\n'use strict';")).toBe(true);
    expect(script).not.toContain('</script');
  });

  it('allows exactly its own inline script and style by hash', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(page.body)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.body)?.[1];
    expect(script).toBe(statusPageScript());
    const csp = page.headers['Content-Security-Policy'] ?? '';
    expect(csp).toContain(`script-src '${hash(script ?? '')}'`);
    expect(csp).toContain(`style-src '${hash(style ?? '')}'`);
    expect(page.body).toContain(`<meta http-equiv="Content-Security-Policy" content="${csp.replace("; frame-ancestors 'none'", '')}">`);
  });

  it('the browser tests fail loudly, never skip, when Chromium is missing', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /^Chromium not found at \/nonexistent\/chromium: the status-page tests drive Debian's Chromium \(apt-get install chromium; \.ci\/run installs it\)/,
    );
  });
});
