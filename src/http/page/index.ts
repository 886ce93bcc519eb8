// `GET /`: the status page. One self-contained HTML document (inline CSS, inline JS, inline SVG
// charts; no CDN, nothing to build) that polls `api/state` and renders it. Built once per process.
//
// The Content-Security-Policy allows exactly this page's own script and style (by SHA-256 hash) and
// fetches to its own origin, so even if some API text slipped into markup it could not run.
import { createHash } from 'node:crypto';
import { pageHtml } from './html.ts';
import { styles } from './styles.ts';
import { domJs } from './client/dom.ts';
import { chartJs } from './client/chart.ts';
import { hostsJs } from './client/hosts.ts';
import { panelsJs } from './client/panels.ts';
import { drainJs } from './client/drain.ts';
import { zonesJs } from './client/zones.ts';
import { mainJs } from './client/main.ts';
import { clusterJs } from './client/cluster.ts';
import { transportJs } from './client/transport.ts';

export interface StatusPage {
  body: string;
  contentType: string;
  /** extra response headers: the CSP and no caching (the page is tiny; a stale copy would confuse) */
  headers: Record<string, string>;
}

let cached: StatusPage | undefined;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The browser script: every client module inside one strict-mode function scope. */
export function statusPageScript(): string {
  return `(function () {\n'use strict';\n${[domJs, chartJs, clusterJs, hostsJs, panelsJs, transportJs, drainJs, zonesJs, mainJs].join('\n')}\n})();`;
}

export function statusPageCsp(script: string, css: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(css)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function statusPage(): StatusPage {
  if (cached) return cached;
  const script = statusPageScript();
  const csp = statusPageCsp(script, styles);
  const body = pageHtml({ styles, script, csp });
  cached = {
    body,
    contentType: 'text/html; charset=utf-8',
    headers: {
      'Content-Security-Policy': `${csp}; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    },
  };
  return cached;
}
