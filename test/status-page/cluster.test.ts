// The status page's cluster panel in a real browser (Debian Chromium) over a canned /api/state with a
// `cluster` section: members, the leader, the quorum in numbers, each node's vote on the host cards,
// etcd unreachable as an alert, findings (hostile text stays text); hidden on a single mxpool.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectConsoleErrors, launchChromium } from './browser.ts';
import { startCannedServer, type CannedServer } from './canned-server.ts';
import { cannedState, HOSTILE } from './canned-state.ts';
import type { ApiCluster, ApiState } from '../../src/http/types.ts';

let browser: Browser;
let server: CannedServer;
let context: BrowserContext;
let page: Page;
let errors: string[];

function withCluster(state: ApiState, now: number): ApiState {
  const vote = (node: string, v: 'up' | 'down', reason = '') => ({ node, vote: v, since: now - 60_000, reason });
  const cluster: ApiCluster = {
    node: 'b',
    prefix: '/mxpool/example.com',
    etcd: { endpoints: ['https://etcd-a.example.net:2379', 'https://etcd-b.example.net:2379'], state: 'live', since: now - 600_000, error: null },
    leader: 'a',
    isLeader: false,
    quorum: { setting: 'majority', live: 3, downToWithdraw: 2, upToReturn: 2 },
    members: [
      { node: 'a', startedAt: now - 900_000, http: '192.0.2.101:8053', nameserver: ['192.0.2.101:53'], sameConfig: true, self: false, leader: true },
      { node: 'b', startedAt: now - 800_000, http: '192.0.2.102:8053', nameserver: ['192.0.2.102:53'], sameConfig: true, self: true, leader: false },
      { node: 'c', startedAt: now - 700_000, http: null, nameserver: [], sameConfig: false, self: false, leader: false },
    ],
    agreed: { serial: state.serial, by: 'a', at: now - 30_000 },
    serving: 'agreed',
    hosts: state.pools.flatMap((pool) => pool.hosts.map((host) => ({
      host: host.name,
      pool: pool.name,
      agreed: host.state,
      votes: host.name === 'mx1.example.com' ? [vote('a', 'down', 'connection refused'), vote('b', 'up'), vote('c', 'up')] : [vote('a', 'up'), vote('b', 'up'), vote('c', 'up')],
    }))),
    findings: [{ key: 'votes/evil/mx1.example.com', message: `votes of ${HOSTILE}`, at: now }],
    writes: 12,
  };
  return { ...state, cluster };
}

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  const now = Date.now();
  server = await startCannedServer('127.15.6.1', withCluster(cannedState(now), now), 'token');
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  errors = collectConsoleErrors(page);
  await page.goto(server.url);
  await page.locator('[data-host="mx1.example.com"]').waitFor();
});
afterEach(async () => {
  await context?.close();
  await server?.close();
  expect(errors).toEqual([]);
});

describe('status page: the cluster', () => {
  it('shows the members, the leader, the quorum and the agreed serial', async () => {
    await expect.poll(() => page.locator('#cluster-section').isVisible()).toBe(true);
    expect(await page.locator('[data-cluster-node]').textContent()).toBe('b');
    expect(await page.locator('[data-cluster-leader]').textContent()).toBe('a');
    expect(await page.locator('[data-cluster-quorum]').textContent()).toBe('3 live · withdrawn when 2 see a host down, back when 2 see it up (majority)');
    expect(await page.locator('[data-cluster-agreed]').textContent()).toMatch(/^serial 2026113001 by a at \d\d:\d\d:\d\d$/);
    expect(await page.locator('[data-member="a"]').innerText()).toMatch(/^a \(leader\) · DNS 192\.0\.2\.101:53 · API 192\.0\.2\.101:8053 · up since/);
    expect(await page.locator('[data-member="b"]').innerText()).toContain('b (this node)');
    expect(await page.locator('[data-member="c"]').innerText()).toContain('c (config differs)');
    expect(await page.locator('#cluster [role="alert"]').count()).toBe(0);
    // findings: shown, hostile text as text
    expect(await page.locator('[data-cluster-findings]').innerText()).toContain(`votes/evil/mx1.example.com: votes of ${HOSTILE}`);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('shows each node\'s vote on each host card, and follows changes', async () => {
    const mx1 = page.locator('[data-host="mx1.example.com"] [data-votes]');
    await expect.poll(() => mx1.innerText()).toBe('a down · b up · c up');
    expect(await page.locator('[data-host="mx1.example.com"] [data-vote="a"]').getAttribute('title')).toBe('connection refused');
    expect(await page.locator('[data-host="mx1.example.com"] [data-vote="a"]').getAttribute('class')).toBe('bad-text');
    const votes = server.state.cluster!.hosts[0]!.votes;
    votes[1] = { ...votes[1]!, vote: 'down', reason: 'timed out' };
    await expect.poll(() => mx1.innerText(), { timeout: 8000 }).toBe('a down · b down · c up');
  });

  it('says so, as an alert, when this node cannot reach etcd', async () => {
    const cluster = server.state.cluster!;
    cluster.etcd = { ...cluster.etcd, state: 'unreachable', since: Date.now() - 5000, error: '14 UNAVAILABLE: No connection established' };
    cluster.leader = null;
    const alert = page.locator('#cluster [role="alert"]');
    await expect.poll(() => alert.count(), { timeout: 8000 }).toBe(1);
    expect(await alert.textContent()).toMatch(/^etcd unreachable from node b since \d\d:\d\d:\d\d: serving the last agreed zone, withdrawing nothing on the view of this node alone \(14 UNAVAILABLE: No connection established\)\.$/);
    expect(await page.locator('[data-cluster-leader]').textContent()).toBe('none');
  });

  it('is hidden on a single mxpool (no cluster section in the state)', async () => {
    server.state = cannedState(Date.now());
    await page.reload();
    await page.locator('[data-host="mx1.example.com"]').waitFor();
    expect(await page.locator('#cluster-section').isVisible()).toBe(false);
    expect(await page.locator('[data-host="mx1.example.com"] [data-votes]').isVisible()).toBe(false);
  });
});
