// End to end: a real `mxpool serve` over three real SMTP hosts, serving the ISP zone and three
// tenant zones, with NSD (Debian) as the secondary of two of them. When an inbound host dies, the
// tenants' MX drop it — at mxpool, and at NSD after the NOTIFY and transfer of each tenant zone.
// A restart keeps every tenant zone's serial (state file), since nothing in them changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dig, digSerial, startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startNsd, type Secondary } from '../helpers/secondaries.ts';
import type { ApiState, ApiZoneSearch } from '../../src/http/types.ts';

const DNS = '127.13.0.20';
const DNS_PORT = 5301;
const NSD = '127.13.0.30';
const NSD_PORT = 5302;
const dir = tempDir('mxpool-nsd-tenants-');
let daemon: TestDaemon | undefined;
/** kept so afterAll can stop a daemon whose start outlived a timed-out beforeAll */
let starting: Promise<TestDaemon> | undefined;
let nsd: Secondary | undefined;

const tenant = (zone: string) => ({ zone, mx: [{ pool: 'inbound', preference: 10 }], dmarc: { p: 'reject' } });

beforeAll(async () => {
  starting = startTestDaemon({
    addresses: ['127.13.0.21', '127.13.0.22', '127.13.0.23'],
    dns: `${DNS}:${DNS_PORT}`,
    http: `${DNS}:8101`,
    outbound: [2],
    extra: {
      auth: { spf: { all: '-all', sharedName: '_spf.example.com' }, dmarc: { p: 'none' } },
      nameserver: {
        listen: [`${DNS}:${DNS_PORT}`],
        ns: ['ns1.example.com'],
        soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' },
        transfer: { allow: [NSD], notify: [`${NSD}:${NSD_PORT}`] },
      },
      tenants: [tenant('t1.example'), tenant('t2.example'), tenant('t3.example')],
    },
  });
  daemon = await starting;
  nsd = startNsd({ zones: ['t1.example', 't2.example'], primary: { host: DNS, port: DNS_PORT }, key: null, host: NSD, port: NSD_PORT, dir });
}, 60_000);

afterAll(async () => {
  await nsd?.stop();
  await (daemon ?? (await starting?.catch(() => undefined)))?.close();
});

const nsdLog = () => nsd?.log() || '(no log)';
const mx = async (server: string, port: number, zone: string) => (await dig(server, port, zone, 'MX').catch(() => [])).sort();
const ALL = ['10 mx1.example.com.', '10 mx2.example.com.', '10 mx3.example.com.'];

describe('tenant zones at a real secondary', () => {
  it('NSD transfers both tenant zones and serves the same MX as mxpool', async () => {
    const d = daemon as TestDaemon;
    for (const zone of ['t1.example', 't2.example']) {
      // the first probe round decides what is published: on a loaded machine a probe may time out
      // once and its host join a round later — wait for every host at mxpool first
      await waitFor(`mxpool serves every host in ${zone}`, async () => (await mx(DNS, DNS_PORT, zone)).join() === ALL.join(), 30_000, 200);
      await waitFor(`NSD serves ${zone}\n${nsdLog()}`, async () => (await mx(NSD, NSD_PORT, zone)).join() === ALL.join(), 20_000, 300);
      expect(await digSerial(NSD, NSD_PORT, zone)).toBe(await digSerial(DNS, DNS_PORT, zone));
    }
    expect(await d.dig('t3.example', 'TXT')).toEqual(['"v=spf1 include:_spf.example.com -all"']);
    expect(await d.dig('_spf.example.com', 'TXT')).toEqual(['"v=spf1 ip4:127.13.0.23 -all"']);
  });

  it('/api/state lists every zone with its serial and MX; /api/zones searches them; ?zones=none keeps the counts only', async () => {
    const d = daemon as TestDaemon;
    const state = (await (await fetch(`${d.url}/api/state`)).json()) as ApiState;
    expect(state.zones.map((z) => `${z.kind} ${z.zone}`)).toEqual(['zone example.com', 'tenant t1.example', 'tenant t2.example', 'tenant t3.example']);
    const t2 = state.zones.find((z) => z.zone === 't2.example');
    expect(t2?.serial).toBe(await digSerial(DNS, DNS_PORT, 't2.example'));
    expect(t2?.mx).toEqual(['mx1.example.com', 'mx2.example.com', 'mx3.example.com']);
    // a probe that times out under load leaves the ISP zone a pool note for a round: count what is listed
    const noted = state.zones.filter((z) => z.notes.length > 0);
    expect(noted.filter((z) => z.kind === 'tenant')).toEqual([]);
    for (const note of noted.flatMap((z) => z.notes)) expect(note).toMatch(/^pool \w+: \d of \d hosts healthy/);
    expect(state.zoneCounts).toEqual({ total: 4, tenants: 3, withoutMx: 0, withNotes: noted.length, syncFailing: 0 });
    const lean = (await (await fetch(`${d.url}/api/state?zones=none`)).json()) as ApiState;
    expect(lean.zones).toEqual([]);
    expect(lean.zoneCounts.total).toBe(4);
    const found = (await (await fetch(`${d.url}/api/zones?q=T3.EXAMPLE&limit=5`)).json()) as ApiZoneSearch;
    expect(found).toMatchObject({ query: 't3.example', total: 4, matched: 1, zones: [{ zone: 't3.example', kind: 'tenant' }] });
  });

  it('an inbound host dies: every tenant MX drops it at mxpool, and NSD follows through NOTIFY', async () => {
    const d = daemon as TestDaemon;
    const before = await digSerial(DNS, DNS_PORT, 't1.example');
    await d.hosts[0]?.kill();
    const without = ALL.filter((value) => !value.includes('mx1'));
    for (const zone of ['t1.example', 't2.example', 't3.example']) await waitFor(`mxpool drops mx1 from ${zone}`, async () => (await mx(DNS, DNS_PORT, zone)).join() === without.join(), 15_000);
    expect(await digSerial(DNS, DNS_PORT, 't1.example')).toBeGreaterThan(before);
    // the SOA refresh is an hour: only the NOTIFY makes NSD transfer this soon
    for (const zone of ['t1.example', 't2.example']) {
      await waitFor(`NSD drops mx1 from ${zone}\n${nsdLog()}`, async () => (await mx(NSD, NSD_PORT, zone)).join() === without.join(), 20_000, 300);
      expect(await digSerial(NSD, NSD_PORT, zone)).toBe(await digSerial(DNS, DNS_PORT, zone));
    }
  });

  it('a restart keeps the tenant serials (nothing in those zones changed)', async () => {
    const d = daemon as TestDaemon;
    const serials = await Promise.all(['t1.example', 't2.example', 't3.example'].map((zone) => digSerial(DNS, DNS_PORT, zone)));
    await d.stopDaemon();
    const saved = JSON.parse(readFileSync(join(d.stateDir, 'state.json'), 'utf8')) as { zones: Record<string, { serial: number }> };
    expect(Object.keys(saved.zones).sort()).toEqual(['t1.example', 't2.example', 't3.example']);
    expect(saved.zones['t1.example']?.serial).toBe(serials[0]);
    await d.startDaemon();
    expect(await Promise.all(['t1.example', 't2.example', 't3.example'].map((zone) => digSerial(DNS, DNS_PORT, zone)))).toEqual(serials);
  });

  it('a crash after publishes the state file missed: the restart never serves a tenant serial below one served before', async () => {
    const d = daemon as TestDaemon;
    const stateFile = join(d.stateDir, 'state.json');
    const lagging = readFileSync(stateFile, 'utf8');
    // the state file cannot be written from now on (a directory in its place): it lags, as after a crash between throttled writes
    rmSync(stateFile);
    mkdirSync(join(stateFile, 'blocked'), { recursive: true });
    await d.hosts[0]?.restart();
    for (const zone of ['t1.example', 't2.example', 't3.example']) await waitFor(`mx1 back in ${zone}`, async () => (await mx(DNS, DNS_PORT, zone)).join() === ALL.join(), 15_000);
    const served = await Promise.all(['t1.example', 't2.example', 't3.example'].map((zone) => digSerial(DNS, DNS_PORT, zone)));
    expect(readFileSync(join(d.stateDir, 'tenant-serials.log'), 'utf8')).toContain(`t1.example ${served[0]} `);
    expect((await d.stopDaemon('SIGKILL')).signal).toBe('SIGKILL');
    rmSync(stateFile, { recursive: true });
    writeFileSync(stateFile, lagging);
    await d.startDaemon();
    // the lagging file alone would give each zone its older serial back (with the content it had then)
    const after = await Promise.all(['t1.example', 't2.example', 't3.example'].map((zone) => digSerial(DNS, DNS_PORT, zone)));
    after.forEach((serial, i) => expect(serial).toBeGreaterThanOrEqual(served[i] as number));
    // the next state file holds them: the log starts again
    await waitFor('the state file written and the log cleared', () => readFileSync(stateFile, 'utf8') !== lagging && !existsSync(join(d.stateDir, 'tenant-serials.log')), 10_000);
  });
});
