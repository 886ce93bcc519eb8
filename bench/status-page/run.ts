// What the status page costs the browser as the pool grows: `npx node bench/status-page/run.ts`
// (about 1 minute). Headless Debian Chromium loads the page over a canned /api/state of N hosts
// (each with a full 60-probe history) served on loopback; the server advances every host's probe
// once a second, as a busy daemon would. Figures: the JSON size of one refresh, the time to first
// full render, and the main-thread time per 2-second refresh (Chrome's own TaskDuration metric).
import { launchChromium } from '../../test/status-page/browser.ts';
import { startCannedServer } from '../../test/status-page/canned-server.ts';
import type { ApiHost, ApiState } from '../../src/http/types.ts';

const SIZES = [10, 100, 500, 1000];
const STEADY_MS = 10_000;

function syntheticState(n: number, now: number): ApiState {
  const hosts: ApiHost[] = Array.from({ length: n }, (_, i) => ({
    name: `mx${i + 1}.example.com`, pool: 'inbound', address: `192.0.2.${i % 250}`, port: 25, weight: 1,
    state: i % 17 === 0 ? 'unhealthy' : 'healthy', since: now - 600_000, disabledInConfig: false, inDns: i % 17 !== 0, inSpf: false,
    lastProbe: { ok: true, stage: 'quit', reason: null, ms: 10 + (i % 7), at: now, tls: { protocol: 'TLSv1.3', validTo: now + 80 * 86_400_000, daysLeft: 80 } },
    history: Array.from({ length: 60 }, (_, j) => ({ at: now - (60 - j) * 5000, ok: (i + j) % 23 !== 0, ms: 8 + ((i + j) % 13) })),
    drain: null, streak: { ok: 3, fail: 0 },
  }));
  return {
    version: 1, generatedAt: now, zone: 'example.com', ttl: 30, serial: 1, startedAt: now - 3_600_000, firstRoundDone: true,
    startedFrom: 'first-probe-round', writeAuth: 'bearer', spfGrace: [],
    pools: [{
      name: 'inbound', role: 'inbound', hostname: 'mx.example.com', mx: { name: 'example.com', preference: 10 }, whenAllDown: 'all',
      minHealthy: 1, healthyCount: hosts.filter((h) => h.state === 'healthy').length, publishedHosts: [], published: [], hosts,
    }],
    records: [], notes: [], providers: [], audit: null, nameserver: { listen: ['127.0.0.1:5353'], queries: 0 },
    config: { file: '/etc/mxpool/mxpool.yaml', loadedAt: now - 3_600_000, reloads: 0, reloadFailures: 0, lastReload: null, lastReloadError: null },
    zones: [{ zone: 'example.com', kind: 'zone', serial: 1, mx: [], notes: [], providers: [] }], zoneCounts: { total: 1, tenants: 0, withoutMx: 0, withNotes: 0, syncFailing: 0 },
  };
}

/** One probe more for every host: what a second of a busy daemon looks like to the page. */
function advance(state: ApiState): void {
  const now = Date.now();
  for (const host of state.pools[0]!.hosts) {
    const ms = 8 + Math.round(Math.random() * 10);
    host.history.push({ at: now, ok: true, ms });
    host.history.shift();
    host.lastProbe = { ...host.lastProbe!, ms, at: now };
  }
}

const browser = await launchChromium();
console.log('hosts  state JSON  first render  main thread per refresh  main thread busy');
try {
  for (const n of SIZES) {
    const state = syntheticState(n, Date.now());
    const server = await startCannedServer('127.0.6.250', state, 'bench');
    const bytes = Buffer.byteLength(JSON.stringify(state));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const started = performance.now();
    await page.goto(server.url);
    await page.waitForFunction(`document.querySelectorAll('[data-host]').length === ${n} && document.querySelectorAll('svg.chart').length === ${n}`, undefined, { timeout: 60_000 });
    const firstRender = performance.now() - started;
    const metric = async (name: string) => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    };
    const timer = setInterval(() => advance(server.state), 1000);
    const taskBefore = await metric('TaskDuration');
    const pollsBefore = server.requests;
    const steadyStart = performance.now();
    await page.waitForTimeout(STEADY_MS);
    clearInterval(timer);
    const busyMs = ((await metric('TaskDuration')) - taskBefore) * 1000;
    const busyShare = busyMs / (performance.now() - steadyStart);
    // per refresh: everything the main thread did (parse, render, the 1 s ticks, layout, paint) / refreshes
    const perRefresh = busyMs / Math.max(1, server.requests - pollsBefore);
    console.log(
      `${String(n).padStart(5)}  ${(bytes / 1024).toFixed(0).padStart(7)} KB  ${firstRender.toFixed(0).padStart(9)} ms  ${perRefresh.toFixed(1).padStart(19)} ms  ${(busyShare * 100).toFixed(1).padStart(14)} %`,
    );
    await page.close();
    await server.close();
  }
} finally {
  await browser.close();
}
