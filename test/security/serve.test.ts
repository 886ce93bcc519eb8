// `mxpool serve` with relay security checks (onFinding: withdraw) and a DNS blocklist (action:
// withdraw), end to end through dig: an open relay leaves the relay name and stays in SPF; a relay
// listed in a real NSD blocklist leaves it too, SPF unchanged, and comes back after delisting and
// rise probes; with every relay held, whenAllDown: all publishes them all; an error code from the
// list is not a listing; the fixed open relay returns after a clean check. /api/state, /metrics and
// the audit show it all. An inbound pool with the same check: its open relay leaves the MX (an MX
// that relays for anyone is the classic open relay), its closed one stays. Loopback 127.17.5.x.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editConfig, startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import { startZooServer, type ZooKind, type ZooServer } from '../helpers/smtp/relay-zoo.ts';
import { startNsdBlocklist, type NsdBlocklist } from '../helpers/dns/nsd-blocklist.ts';
import type { ApiHost, ApiReloadResult, ApiState } from '../../src/http/types.ts';

const BL = 'bl.example-lists.test';
const RELAYS = ['127.17.5.11', '127.17.5.12', '127.17.5.13'];
/** the inbound pool's security.interval (ms) */
const LISTS_INTERVAL = 15_000;
/** when serve was started (its checks cannot have started before) */
let daemonStarted = 0;
/** the inbound pool's exchangers for lists.example.com: an open relay, a closed one */
const EXCHANGERS = ['127.17.5.31', '127.17.5.32'];
let pki: TestPki;
let bl: NsdBlocklist;
let d: TestDaemon;
const zoo: ZooServer[] = [];
/** the inbound pool's exchangers */
const inbound: ZooServer[] = [];
/** every zoo server ever started (a closed one keeps its record) */
const started: ZooServer[] = [];

async function relay(kind: ZooKind, i: number, port = 0): Promise<ZooServer> {
  const server = await startZooServer(kind, RELAYS[i]!, pki.leaf(`relay${i + 1}.example.com`), port);
  started.push(server);
  return server;
}

beforeAll(async () => {
  pki = makeTestPki();
  zoo.push(await relay('open', 0), await relay('closed', 1), await relay('closed', 2));
  const exchangers: ZooServer[] = [];
  for (const [i, kind] of (['open', 'closed'] as const).entries()) {
    const server = await startZooServer(kind, EXCHANGERS[i]!, pki.leaf(`lists-mx${i + 1}.example.com`));
    started.push(server);
    exchangers.push(server);
  }
  inbound.push(...exchangers);
  bl = await startNsdBlocklist('127.17.5.53', 5355, BL);
  daemonStarted = performance.now();
  d = await startTestDaemon({
    addresses: ['127.17.5.20'],
    dns: '127.17.5.10:5317',
    http: '127.17.5.10:8117',
    ttl: 5,
    // a probe timeout that a loaded machine does not trip (a flapping relay would leave the name)
    probe: { caFile: pki.caFile, interval: '3s', timeout: '2500ms' },
    editConfig: (config) => {
      (config.pools as unknown[]).push({
        name: 'relays',
        role: 'outbound',
        hostname: 'smtp.example.com',
        whenAllDown: 'all',
        hosts: zoo.map((z, i) => ({ name: `relay${i + 1}.example.com`, address: z.address, port: z.port })),
        security: { openRelay: true, onFinding: 'withdraw', interval: '1s' },
      });
      (config.pools as unknown[]).push({
        name: 'lists',
        role: 'inbound',
        mx: { name: 'lists.example.com', preference: 10 },
        hosts: inbound.map((z, i) => ({ name: `lists-mx${i + 1}.example.com`, address: z.address, port: z.port })),
        // a long interval next to the probes' 3 s: a few checks in the whole file, many probes
        security: { openRelay: true, onFinding: 'withdraw', interval: `${LISTS_INTERVAL / 1000}s` },
      });
      config.dnsbl = { zones: [BL], resolver: '127.17.5.53:5355', interval: '1s', timeout: '2s' };
      config.audit = { interval: '1m' };
    },
  });
}, 60_000);

afterAll(async () => {
  await d?.close();
  await Promise.all([...zoo, ...inbound].map((z) => z.close()));
  await bl?.stop();
});

const state = async () => (await (await fetch(`${d.url}/api/state`)).json()) as ApiState;
const hostOf = (s: ApiState, name: string, pool = 'relays') => s.pools.find((p) => p.name === pool)!.hosts.find((h) => h.name === name) as ApiHost;
const exchanges = async () => (await d.dig('lists.example.com', 'MX').catch(() => ['(no reply)'])).sort();
// a dig that gets no reply in time (a loaded machine) counts as "not yet", not as a failure
const relayName = async () => (await d.dig('smtp.example.com', 'A').catch(() => ['(no reply)'])).sort();
/** The SPF record; a dig that gets no reply in time is asked again (never read as "no SPF"). */
async function spf(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await d.dig('example.com', 'TXT')).find((line) => line.includes('v=spf1')) ?? '';
    } catch (error) {
      if (attempt === 5) throw error;
    }
  }
}
/** Conditions that wait on probes, checks and lookups (each every 1-2 s): room for a loaded machine. */
const WAIT = 45_000;
const SLOW = { timeout: 150_000 };
const metrics = async () => (await fetch(`${d.url}/metrics`)).text();
const reload = async () => (await (await fetch(`${d.url}/api/reload`, { method: 'POST' })).json()) as ApiReloadResult;
const SPF_ALL = '"v=spf1 ip4:127.17.5.11 ip4:127.17.5.12/31 -all"';

describe('serve: relay security and DNSBL feed health', () => {
  it('an open relay with onFinding: withdraw leaves the relay name and stays in SPF', SLOW, async () => {
    await waitFor('relay1 withheld, relay2 and relay3 in the relay name', async () => JSON.stringify(await relayName()) === JSON.stringify(['127.17.5.12', '127.17.5.13']) && hostOf(await state(), 'relay1.example.com').withheld?.length === 1, WAIT);
    expect(await spf()).toBe(SPF_ALL);
    const relay1 = hostOf(await state(), 'relay1.example.com');
    expect(relay1).toMatchObject({ state: 'unhealthy', inDns: false, inSpf: true, withheld: ['security: smtp-open-relay'] });
    expect(relay1.security).toMatchObject({ onFinding: 'withdraw', error: null, findings: [{ id: 'smtp-open-relay' }] });
    // up, and withdrawn anyway (a probe that timed out on a loaded machine is waited out, not failed)
    await waitFor('relay1 probed ok while withheld', async () => hostOf(await state(), 'relay1.example.com').lastProbe?.ok === true, WAIT);
    await waitFor('relay2 checked clean and looked up', async () => {
      const relay2 = hostOf(await state(), 'relay2.example.com');
      return relay2.security?.at != null && relay2.security.error === null && (relay2.dnsbl ?? []).length > 0;
    }, WAIT);
    expect(hostOf(await state(), 'relay2.example.com').security).toMatchObject({ findings: [], error: null });
    const text = await metrics();
    expect(text).toContain('mxpool_security_findings{host="relay1.example.com",pool="relays",finding="smtp-open-relay"} 1');
    expect(text).toMatch(/mxpool_security_checks_total\{host="relay2\.example\.com",pool="relays",result="clean"\} [1-9]/);
    expect(text).toContain(`mxpool_dnsbl_listed{host="relay2.example.com",zone="${BL}"} 0`);
    // the inbound pool: the open exchanger leaves the MX, the closed one stays
    await waitFor('the open exchanger out of the MX', async () => JSON.stringify(await exchanges()) === JSON.stringify(['10 lists-mx2.example.com.']), WAIT);
    expect(hostOf(await state(), 'lists-mx1.example.com', 'lists')).toMatchObject({ state: 'unhealthy', inDns: false, withheld: ['security: smtp-open-relay'], dnsbl: [] });
    expect(hostOf(await state(), 'lists-mx2.example.com', 'lists')).toMatchObject({ state: 'healthy', inDns: true, withheld: [], security: { findings: [] } });
    await waitFor('the audit reports relay-open', async () => ((await state()).audit?.findings ?? []).some((f) => f.id === 'relay-open' && f.record === 'relay1.example.com SMTP'), WAIT);
    expect(d.logs()).toMatch(/"msg":"relay security findings"/);
  });

  it('a relay listed on the blocklist leaves the relay name, SPF unchanged; an error code is not a listing', SLOW, async () => {
    await bl.set([{ address: '127.17.5.12', codes: ['127.0.0.2'], txt: 'spam trap hit' }, { address: '127.17.5.13', codes: ['127.255.255.254'] }]);
    await waitFor('relay2 out of the relay name', async () => JSON.stringify(await relayName()) === JSON.stringify(['127.17.5.13']), WAIT);
    await waitFor('relay3 looked up since the change', async () => hostOf(await state(), 'relay3.example.com').dnsbl?.[0]?.status === 'error', WAIT);
    expect(await spf()).toBe(SPF_ALL);
    const s = await state();
    expect(hostOf(s, 'relay2.example.com')).toMatchObject({ state: 'unhealthy', inSpf: true, withheld: [`dnsbl: listed on ${BL} (127.0.0.2: spam trap hit)`] });
    expect(hostOf(s, 'relay2.example.com').dnsbl).toMatchObject([{ zone: BL, listed: true, status: 'listed', codes: ['127.0.0.2'], reason: 'spam trap hit' }]);
    expect(hostOf(s, 'relay3.example.com')).toMatchObject({ state: 'healthy', inDns: true, withheld: [], dnsbl: [{ listed: false, status: 'error', codes: ['127.255.255.254'] }] });
    expect(await metrics()).toContain(`mxpool_dnsbl_listed{host="relay2.example.com",zone="${BL}"} 1`);
    expect(await metrics()).toMatch(new RegExp(`mxpool_dnsbl_lookups_total\\{zone="${BL.replace(/\./g, '\\.')}",result="error"\\} [1-9]`));
    await waitFor('the audit reports dnsbl-listed and the lookup error', async () => {
      const ids = ((await state()).audit?.findings ?? []).map((f) => f.id);
      return ids.includes('dnsbl-listed') && ids.includes('dnsbl-lookup-failed');
    }, WAIT);
  });

  it('every relay held: whenAllDown: all publishes them all (never an empty relay name)', SLOW, async () => {
    await bl.set([{ address: '127.17.5.12', codes: ['127.0.0.2'] }, { address: '127.17.5.13', codes: ['127.0.0.3'] }]);
    await waitFor('all three back under whenAllDown', async () => JSON.stringify(await relayName()) === JSON.stringify(RELAYS), WAIT);
    const s = await state();
    expect(s.notes.some((note) => note.includes('pool relays: 0 of 3 hosts healthy') && note.includes('whenAllDown: all'))).toBe(true);
    expect(await spf()).toBe(SPF_ALL);
  });

  it('delisted: back in the relay name after rise probes; the fixed open relay returns after a clean check', SLOW, async () => {
    await bl.set([]);
    await waitFor('relay2 and relay3 back, relay1 still out', async () => JSON.stringify(await relayName()) === JSON.stringify(['127.17.5.12', '127.17.5.13']), WAIT);
    expect(d.logs()).toMatch(/"msg":"relay delisted from a DNSBL"/);
    // the operator closes the relay: same address and port, now refusing foreign recipients
    const open = zoo[0]!;
    await open.close();
    zoo[0] = await relay('closed', 0, open.port);
    await waitFor('relay1 back after a clean check and rise probes', async () => JSON.stringify(await relayName()) === JSON.stringify(RELAYS), WAIT);
    expect(hostOf(await state(), 'relay1.example.com')).toMatchObject({ state: 'healthy', withheld: [], security: { findings: [] } });
    expect(await spf()).toBe(SPF_ALL);
    expect(await metrics()).not.toContain('host="relay1.example.com",pool="relays",finding="smtp-open-relay"');
    expect(await metrics()).toContain('mxpool_security_findings{host="lists-mx1.example.com",pool="lists",finding="smtp-open-relay"} 1'); // still open
    // security checks run every security.interval (15 s here), not with every probe (every 3 s): a
    // loaded machine may run fewer of either, never more checks than the interval allows
    const allowed = Math.floor((performance.now() - daemonStarted) / LISTS_INTERVAL) + 1;
    const text = await metrics();
    const sum = (metric: string, host: string) => [...text.matchAll(new RegExp(`^${metric}\\{host="${host.replace(/\./g, '\\.')}"[^}]*\\} (\\d+)$`, 'gm'))].reduce((total, m) => total + Number(m[1]), 0);
    for (const host of ['lists-mx1.example.com', 'lists-mx2.example.com']) {
      const checks = sum('mxpool_security_checks_total', host);
      expect(checks, host).toBeGreaterThanOrEqual(1);
      expect(checks, host).toBeLessThanOrEqual(allowed);
      expect(sum('mxpool_probe_duration_seconds_count', host), host).toBeGreaterThan(checks);
    }
    for (const server of inbound) {
      expect(server.record.mailFrom.length, server.kind).toBeLessThanOrEqual(allowed);
      expect(new Set(server.record.mailFrom), server.kind).toEqual(new Set(['relay-test@relay-test.invalid']));
    }
  });

  it('a reload: onFinding withdraw -> report lifts the hold and keeps the finding; an unset credentials variable refuses the reload', SLOW, async () => {
    const fixed = zoo[0]!;
    await fixed.close();
    zoo[0] = await relay('open', 0, fixed.port); // relay1 is an open relay again
    await waitFor('relay1 withheld again for its finding', async () => hostOf(await state(), 'relay1.example.com').withheld?.[0] === 'security: smtp-open-relay', WAIT);
    await waitFor('relay1 out of the relay name again', async () => JSON.stringify(await relayName()) === JSON.stringify(['127.17.5.12', '127.17.5.13']), WAIT);
    editConfig(d.configFile, (config) => {
      (config.pools.find((p) => p.name === 'relays')!.security as Record<string, unknown>).onFinding = 'report';
    });
    const applied = await reload();
    expect(applied).toMatchObject({ outcome: 'applied', errors: [] });
    await waitFor('relay1 back, only reported', async () => JSON.stringify(await relayName()) === JSON.stringify(RELAYS), WAIT);
    expect(hostOf(await state(), 'relay1.example.com')).toMatchObject({ state: 'healthy', withheld: [], security: { onFinding: 'report', findings: [{ id: 'smtp-open-relay' }] } });

    editConfig(d.configFile, (config) => {
      (config.pools.find((p) => p.name === 'relays')!.security as Record<string, unknown>).auth = { usernameEnv: 'MXPOOL_TEST_NO_SUCH_USER', passwordEnv: 'MXPOOL_TEST_NO_SUCH_PASSWORD' };
    });
    const refused = await reload();
    expect(refused.outcome).toBe('refused');
    expect(refused.errors).toEqual([expect.stringMatching(/mxpool\.yaml:\d+:\d+: pools\.1\.security\.auth\.usernameEnv: the environment variable MXPOOL_TEST_NO_SUCH_USER is not set; the relay AUTH check needs it$/)]);
    expect(hostOf(await state(), 'relay1.example.com').security).toMatchObject({ onFinding: 'report' }); // the running config stays
  });

  it('no relay was ever sent DATA', () => {
    expect(started.length).toBe(7);
    for (const server of started) expect(server.record.dataReceived).toBe(false);
  });
});
