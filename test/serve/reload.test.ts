// End to end: `mxpool serve` reloading its config on SIGHUP while dnsperf queries its nameserver.
// A good reload adds a host and removes a relay with one serial change, keeps every other host's
// health (an unhealthy one stays out of DNS, a healthy one is not re-risen) and keeps the removed
// relay in SPF for 2 x TTL; a broken one changes nothing and says why; a reload changing nothing
// keeps the serial; a SIGHUP storm is coalesced. dnsperf must see no lost and no SERVFAIL answer.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { digSerial, editConfig, startSmtpHost, startTestDaemon, waitFor, type SmtpHostProcess, type TestDaemon } from '../helpers/daemon.ts';
import { dnsperf } from '../helpers/dnsperf.ts';
import type { ApiState } from '../../src/http/types.ts';

const QUERIES = ['example.com MX', 'mx.example.com A', 'example.com TXT', 'smtp.example.com A', 'mx1.example.com A', 'nothing.example.com A', 'example.com SOA'];

let d: TestDaemon;
let extra: SmtpHostProcess;

async function state(): Promise<ApiState> {
  return (await fetch(`${d.url}/api/state`)).json() as Promise<ApiState>;
}

function host(s: ApiState, name: string) {
  return s.pools.flatMap((pool) => pool.hosts).find((h) => h.name === name);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

async function mx(): Promise<string[]> {
  return (await d.dig('example.com', 'MX')).sort();
}

async function spf(): Promise<string> {
  return (await d.dig('example.com', 'TXT')).find((line) => line.includes('v=spf1')) ?? '';
}

/** Sends SIGHUP and waits until /api/state shows a reload newer than `since`. */
async function hangup(since: number): Promise<NonNullable<ApiState['config']['lastReload']>> {
  d.process!.kill('SIGHUP');
  await waitFor('the reload to finish', async () => ((await state()).config.lastReload?.at ?? 0) > since, 15_000);
  return (await state()).config.lastReload!;
}

describe('serve: reload on SIGHUP under DNS load', () => {
  beforeAll(async () => {
    // mx1..mx3 inbound; relay1 (= mx1's server) and relay3 (= mx3's) outbound. TTL 3: SPF grace 6 s.
    d = await startTestDaemon({ addresses: ['127.113.1.11', '127.113.1.12', '127.113.1.13'], outbound: [0, 2], dns: '127.113.1.10:5313', http: '127.113.1.10:8113', ttl: 3 });
    extra = await startSmtpHost('127.113.1.14', 'mx4.example.com');
    await waitFor('every host healthy', async () => (await state()).pools.every((pool) => pool.hosts.every((h) => h.state === 'healthy')));
  }, 30_000);
  afterAll(async () => {
    await d?.close();
    await extra?.kill();
  });

  it('applies a good config and refuses a broken one without a lost or SERVFAIL query; health and SPF grace carry over', async () => {
    await d.hosts[1]!.stop(); // mx2 refuses connections: withdrawn
    await waitFor('mx2 out of the MX', async () => !(await mx()).some((line) => line.includes('mx2.')));
    const before = await state();
    const mx1Since = host(before, 'mx1.example.com')!.since;
    const mx2Since = host(before, 'mx2.example.com')!.since;
    expect(await spf()).toBe('"v=spf1 ip4:127.113.1.11 ip4:127.113.1.13 -all"');

    const load = dnsperf({ server: d.dnsServer, port: d.dnsPort, queries: QUERIES, seconds: 8, qps: 400 });
    await new Promise((r) => setTimeout(r, 1000));

    // good: mx4 joins the inbound pool, relay3 leaves the relays
    const updates = await metric('mxpool_zone_updates_total');
    const serial = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    editConfig(d.configFile, (config) => {
      const inbound = config.pools.find((pool) => pool.name === 'inbound')!;
      inbound.hosts.push({ name: 'mx4.example.com', address: extra.address, port: extra.port, weight: 1 });
      const relays = config.pools.find((pool) => pool.name === 'relays')!;
      relays.hosts = relays.hosts.filter((h) => h.name !== 'relay3.example.com');
    });
    const applied = await hangup(before.config.lastReload?.at ?? 0);
    expect(applied.outcome).toBe('applied');
    expect(applied.changes).toEqual(['host mx4.example.com added to pool inbound (probed before it is published)', 'host relay3.example.com removed from pool relays']);
    expect(await mx()).toEqual(['10 mx1.example.com.', '10 mx3.example.com.', '10 mx4.example.com.']); // mx2 stays out, mx4 in
    expect(await metric('mxpool_zone_updates_total')).toBe(updates + 1); // one new zone for the whole reload
    const after = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    expect(after).toBeGreaterThan(serial);
    expect(applied).toMatchObject({ previousSerial: serial, serial: after });
    const s = await state();
    expect(host(s, 'mx1.example.com')).toMatchObject({ state: 'healthy', since: mx1Since }); // not re-risen
    expect(host(s, 'mx2.example.com')).toMatchObject({ state: 'unhealthy', since: mx2Since, inDns: false });
    expect(host(s, 'mx4.example.com')).toMatchObject({ state: 'healthy', inDns: true });
    expect(host(s, 'relay3.example.com')).toBeUndefined();
    // the removed relay stays authorised for 2 x TTL, as across a restart
    expect(await spf()).toBe('"v=spf1 ip4:127.113.1.11 ip4:127.113.1.13 -all"');
    expect(s.spfGrace).toEqual([{ address: '127.113.1.13', host: 'relay3.example.com', until: expect.any(Number) }]);
    expect(s.spfGrace[0]!.until - applied.at).toBeGreaterThanOrEqual(6000);
    expect(d.logs()).toMatch(/address 127\.113\.1\.13 of removed host relay3\.example\.com stays in SPF until /);

    // broken: an address that is not one; nothing changes, every mistake is named
    const good = readFileSync(d.configFile, 'utf8');
    writeFileSync(d.configFile, good.replace(`address: ${extra.address}`, 'address: 127.113.1.300'));
    const refused = await hangup(applied.at);
    expect(refused.outcome).toBe('refused');
    expect(refused.errors).toEqual([expect.stringMatching(new RegExp(`^${d.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: pools\\.0\\.hosts\\.3\\.address: an IPv4 or IPv6 address`))]);
    const refusedState = await state();
    expect(refusedState.config.lastReloadError).toMatchObject({ trigger: 'SIGHUP', errors: refused.errors });
    expect(refusedState.serial).toBe(after);
    expect(await mx()).toEqual(['10 mx1.example.com.', '10 mx3.example.com.', '10 mx4.example.com.']);
    expect(await metric('mxpool_config_reload_failures_total')).toBe(1);
    expect(await metric('mxpool_config_last_reload_successful')).toBe(0);
    expect(d.logs()).toContain(`"msg":${JSON.stringify(refused.errors[0])}`); // logged with FILE:LINE:COL

    const result = await load;
    expect(result.sent).toBeGreaterThan(1000);
    expect(result.lost, result.output).toBe(0);
    expect(result.rcodes.SERVFAIL ?? 0, result.output).toBe(0);
    expect(result.completed).toBe(result.sent);

    // the relay leaves SPF when its grace ends, with no health change
    await waitFor('127.113.1.13 out of SPF', async () => (await spf()) === '"v=spf1 ip4:127.113.1.11 -all"', 15_000, 200);

    // the file fixed again: the error clears
    writeFileSync(d.configFile, good);
    const fixed = await hangup(refused.at);
    expect(fixed.outcome).toBe('applied');
    expect((await state()).config.lastReloadError).toBeNull();
    expect(await metric('mxpool_config_last_reload_successful')).toBe(1);
  }, 60_000);

  it('a reload that changes nothing keeps the serial; a SIGHUP storm: one reload at a time, each one finished', async () => {
    const serial = await digSerial(d.dnsServer, d.dnsPort, 'example.com');
    const since = (await state()).config.lastReload?.at ?? 0;
    const unchanged = await hangup(since);
    expect(unchanged).toMatchObject({ outcome: 'applied', changes: [], serial, previousSerial: serial });
    expect(d.logs()).toContain('config reloaded: no change');

    // How many reloads a storm costs depends on how the kernel delivers 20 signals (it merges a
    // pending SIGHUP, and a loaded machine spreads them out); that requests arriving during a reload
    // share one follow-up is table-tested in test/reload/reloader.test.ts. What a real process must
    // show: reloads never overlap, each one that starts finishes, and nothing changes.
    const logStart = d.logs().length;
    for (let i = 0; i < 20; i++) d.process!.kill('SIGHUP');
    await waitFor('the storm to settle', async () => ((await state()).config.lastReload?.at ?? 0) > unchanged.at);
    await new Promise((r) => setTimeout(r, 1000));
    const events = [...d.logs().slice(logStart).matchAll(/"msg":"(reloading the config|config reloaded: no change|config reload[^"]*)"/g)].map((m) => m[1]);
    const starts = events.filter((e) => e === 'reloading the config').length;
    expect(starts).toBeGreaterThanOrEqual(1);
    expect(starts).toBeLessThanOrEqual(20);
    expect(events).toEqual(Array.from({ length: starts }, () => ['reloading the config', 'config reloaded: no change']).flat());
    expect(d.process!.exitCode).toBeNull();
    // A reload that changes nothing publishes nothing. A loaded machine may fail a probe during the
    // storm: that health change publishes a new serial, logged as 'zone published' with the host's
    // transition among its reasons — never with 'config reload' alone.
    const published = d.logs().slice(logStart).split('\n').filter((line) => line.includes('"msg":"zone published"')).map((line) => (JSON.parse(line) as { reasons: string[] }).reasons);
    for (const reasons of published) expect(reasons.filter((reason) => reason !== 'config reload'), d.logs().slice(logStart)).not.toEqual([]);
    if (published.length === 0) expect(await digSerial(d.dnsServer, d.dnsPort, 'example.com')).toBe(serial);
  }, 30_000);
});
