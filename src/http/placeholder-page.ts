// Served at `GET /` until the status page (src/http/page/index.ts) is plugged into server.ts.
export function placeholderPage(): { body: string; contentType: string } {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mxpool</title></head>
<body><h1>mxpool</h1><p>The status page is not built in yet. Live state: <a href="/api/state">/api/state</a> · <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a></p></body></html>
`;
  return { body, contentType: 'text/html; charset=utf-8' };
}
