// A real secondary: NSD (Debian `nsd`) runs as a child process with its own config in a temp dir,
// pulls the zone from mxpool (IXFR, answered with the full zone), is told about a change by NOTIFY
// and then answers the same A and MX records as mxpool itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsServer } from '../../src/dns/server.ts';
import { desired } from '../../src/desired.ts';
import { dig, dnsConfig, startServer, zoneOf } from './helpers.ts';
import { health } from '../desired/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { freePort, startNsd, type Secondary } from '../helpers/secondaries.ts';

const PRIMARY = '127.0.2.10';
const SECONDARY = '127.0.2.11';
const dir = tempDir('mxpool-nsd-');
let nsd: Secondary | undefined;
let server: DnsServer;
let mxpoolPort: number;
let nsdPort: number;

const sorted = (text: string) => text.trim().split('\n').filter(Boolean).sort();

beforeAll(async () => {
  nsdPort = await freePort(SECONDARY);
  const cfg = dnsConfig(`${PRIMARY}:0`, { transfer: { allow: [SECONDARY], notify: [`${SECONDARY}:${nsdPort}`] } });
  const started = await startServer(cfg, { notifyDelays: [500, 1000, 1000, 2000, 2000, 4000] });
  server = started.server;
  mxpoolPort = started.port;
  server.setZone(zoneOf(cfg, 2026113001));
  nsd = startNsd({ zones: ['example.com'], primary: { host: PRIMARY, port: mxpoolPort }, key: null, host: SECONDARY, port: nsdPort, dir });
});

afterAll(async () => {
  await nsd?.stop();
  await server?.stop();
});

const nsdLog = () => nsd?.log() || '(no log)';

describe('NSD as a secondary of mxpool', () => {
  it('transfers the zone at start-up and serves the same records', async () => {
    await expect
      .poll(async () => (await dig(SECONDARY, nsdPort, ['+short', 'example.com', 'SOA']).catch(() => '')).trim(), { timeout: 20_000, interval: 300 })
      .toMatch(/ 2026113001 /);
    for (const [name, type] of [['mx.example.com', 'A'], ['example.com', 'MX'], ['mx3.example.com', 'AAAA'], ['example.com', 'TXT'], ['_dmarc.example.com', 'TXT']]) {
      const fromNsd = sorted(await dig(SECONDARY, nsdPort, ['+short', name as string, type as string]));
      expect(fromNsd.length, `${name} ${type} at NSD\n${nsdLog()}`).toBeGreaterThan(0);
      expect(fromNsd).toEqual(sorted(await dig(PRIMARY, mxpoolPort, ['+short', name as string, type as string])));
    }
  });

  it('after a change, NOTIFY makes NSD transfer the new serial and answer the new A and MX records', async () => {
    const cfg = dnsConfig(`${PRIMARY}:0`);
    server.setZone(desired(cfg, health(cfg, { 'mx1.example.com': 'unhealthy' }), { serial: 2026113002, now: 0 }));
    // the SOA refresh is an hour: only the NOTIFY can make NSD fetch the zone this quickly
    await expect
      .poll(async () => (await dig(SECONDARY, nsdPort, ['+short', 'example.com', 'SOA']).catch(() => '')).trim(), { timeout: 20_000, interval: 300 })
      .toMatch(/ 2026113002 /);
    expect(sorted(await dig(SECONDARY, nsdPort, ['+short', 'example.com', 'MX']))).toEqual(['10 mx2.example.com.', '10 mx3.example.com.']);
    expect(sorted(await dig(SECONDARY, nsdPort, ['+short', 'mx.example.com', 'A']))).toEqual(['192.0.2.12']);
    expect(await dig(SECONDARY, nsdPort, ['mx1.example.com', 'A'])).toMatch(/status: NXDOMAIN/);
    expect(nsdLog()).toMatch(/notify/i);
  });
});
