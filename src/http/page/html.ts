// The static skeleton of the status page. Only fixed text lives here; everything that comes from
// the API is added by the script with textContent / DOM nodes, never parsed as HTML.

export interface PageParts {
  styles: string;
  script: string;
  /** the Content-Security-Policy, also sent as a <meta> so a saved copy stays locked down */
  csp: string;
}

export function pageHtml(parts: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${parts.csp}">
<meta name="referrer" content="no-referrer">
<title>mxpool status</title>
<link rel="icon" href="data:,">
<style>${parts.styles}</style>
</head>
<body>
<header class="top">
  <h1>mxpool <span id="zone-name" class="muted"></span></h1>
  <ul class="facts" aria-label="Zone facts">
    <li>serial <b id="serial">–</b></li>
    <li>TTL <b id="ttl">–</b></li>
    <li>nameserver <b id="nameserver">–</b></li>
    <li>up <b id="uptime">–</b></li>
    <li>updated <b id="updated">never</b></li>
  </ul>
</header>
<main>
  <noscript><p class="banner warn">This page needs JavaScript to read <code>/api/state</code>; the raw data is at <a href="api/state">api/state</a>.</p></noscript>
  <div id="connection" class="banner bad" role="alert" hidden></div>
  <div id="warmup" class="banner info" hidden>Warming up: answers come from the saved state until the first probe round finishes.</div>
  <div id="notes"></div>
  <p id="drain-result" class="banner info" role="status" hidden></p>
  <section id="cluster-section" aria-labelledby="cluster-title" hidden>
    <h2 id="cluster-title">Cluster</h2>
    <div id="cluster"></div>
  </section>
  <section aria-labelledby="pools-title">
    <h2 id="pools-title">Pools</h2>
    <div id="pools"><p class="muted">Loading…</p></div>
  </section>
  <section id="transport-section" aria-labelledby="transport-title" hidden>
    <h2 id="transport-title">Transport security</h2>
    <div id="transport"></div>
  </section>
  <section id="zones-section" aria-labelledby="zones-title" hidden>
    <h2 id="zones-title">Zones</h2>
    <div id="zone-counts"></div>
    <p class="zone-search"><label for="zone-search">Find a zone</label>
      <input id="zone-search" type="search" placeholder="customer1.example" autocomplete="off" spellcheck="false" aria-describedby="zone-status"></p>
    <p id="zone-status" class="muted" role="status"></p>
    <div id="zone-results"></div>
  </section>
  <div class="grid2">
    <section aria-labelledby="providers-title">
      <h2 id="providers-title">Provider sync</h2>
      <div id="providers"></div>
    </section>
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit</h2>
      <div id="audit"></div>
    </section>
  </div>
  <section aria-labelledby="changes-title">
    <h2 id="changes-title">Changes seen by this page</h2>
    <ul id="changes" class="changes"><li>none yet</li></ul>
  </section>
  <section aria-labelledby="records-title">
    <h2 id="records-title">Records published now</h2>
    <div id="records"></div>
  </section>
  <div id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="false"></div>
</main>
<dialog id="token-dialog" aria-labelledby="token-title">
  <form id="token-form" method="dialog">
    <label id="token-title" for="token-input">API token</label>
    <p id="token-why">Draining, undraining, disabling and enabling need the token of this mxpool (the variable named by <code>http.tokenEnv</code>). It is kept in this tab only (sessionStorage).</p>
    <input id="token-input" name="token" type="password" autocomplete="off" required>
    <div class="actions">
      <button type="button" id="token-cancel">Cancel</button>
      <button type="submit" id="token-ok" class="primary">Use token</button>
    </div>
  </form>
</dialog>
<script>${parts.script}</script>
</body>
</html>
`;
}
