// Real secondaries of mxpool, all three TSIG-protected and pulling IXFR: NSD (hmac-sha256), Knot
// (hmac-sha384) and BIND (hmac-sha512), run from Debian in the foreground with the configs of
// docs/nameserver.md. Each follows health changes by NOTIFY (signed) and IXFR — and says so in its
// own log; a restart of mxpool keeps the journal; a secondary that was away longer than the journal
// reaches gets the whole zone instead (Knot logs the AXFR-style IXFR). No secret in any log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { DnsServer } from '../../src/dns/server.ts';
import { keyring } from '../../src/dns/tsig/keys.ts';
import { desired } from '../../src/desired.ts';
import type { Config } from '../../src/config/schema.ts';
import type { HealthState } from '../../src/model.ts';
import { dig, dnsConfig } from './helpers.ts';
import { health } from '../desired/fixtures.ts';
import { freePort, startBind, startKnot, startNsd, type Secondary, type TsigSpec } from '../helpers/secondaries.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const PRIMARY = '127.16.0.10';
const NSD = '127.16.0.11';
const KNOT = '127.16.0.12';
const BIND = '127.0.0.1'; // named listens only on what its interface scan finds (DESIGN.md)

const dir = tempDir('mxpool-secondaries-');
const keys: Record<'nsd' | 'knot' | 'bind', TsigSpec> = {
  nsd: { name: 'xfr-nsd', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') },
  knot: { name: 'xfr-knot', algorithm: 'hmac-sha384', secret: randomBytes(48).toString('base64') },
  bind: { name: 'xfr-bind', algorithm: 'hmac-sha512', secret: randomBytes(64).toString('base64') },
};
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
let cfg: Config;
let server: DnsServer;
let port: number;
const secondaries: Record<string, Secondary> = {};
let ports: Record<'nsd' | 'knot' | 'bind', number>;

function startPrimary(): Promise<void> {
  server = new DnsServer({
    nameserver: cfg.nameserver as NonNullable<Config['nameserver']>,
    zone: cfg.zone,
    logger,
    keys: keyring(Object.values(keys).map((k) => ({ name: k.name, algorithm: k.algorithm, secret: Buffer.from(k.secret, 'base64') }))),
    stateDir: join(dir, 'state'),
    notifyDelays: [1000, 1000, 2000, 2000, 4000],
  });
  return server.start();
}

const zoneAt = (serial: number, states: Record<string, HealthState> = {}) => desired(cfg, health(cfg, states), { serial, now: 0 });
const serialAt = async (s: { host: string; port: number }) => (await dig(s.host, s.port, ['+short', 'example.com', 'SOA']).catch(() => '')).trim().split(' ')[2];
const sorted = async (host: string, at: number, name: string, type: string) => (await dig(host, at, ['+short', name, type])).trim().split('\n').filter(Boolean).sort();

async function allAt(serial: number): Promise<void> {
  await expect.poll(async () => Promise.all(Object.values(secondaries).map(serialAt)), { timeout: 50_000, interval: 200 }).toEqual(Object.values(secondaries).map(() => String(serial)));
}

const spec = (kind: 'nsd' | 'knot' | 'bind', host: string) => ({ zones: ['example.com'], primary: { host: PRIMARY, port }, key: keys[kind], host, port: ports[kind], dir: join(dir, kind) });

beforeAll(async () => {
  ports = { nsd: await freePort(NSD), knot: await freePort(KNOT), bind: await freePort(BIND) };
  port = await freePort(PRIMARY);
  cfg = dnsConfig(`${PRIMARY}:${port}`, {
    tsig: Object.values(keys).map((k) => ({ name: k.name, algorithm: k.algorithm, secretEnv: 'UNUSED_IN_THIS_TEST' })),
    transfer: {
      allow: [{ address: NSD, key: 'xfr-nsd' }, { address: KNOT, key: 'xfr-knot' }, { address: BIND, key: 'xfr-bind' }],
      notify: [{ address: `${NSD}:${ports.nsd}`, key: 'xfr-nsd' }, { address: `${KNOT}:${ports.knot}`, key: 'xfr-knot' }, { address: `${BIND}:${ports.bind}`, key: 'xfr-bind' }],
    },
    journal: { maxVersions: 3, maxBytes: 1 << 20 },
  });
  await startPrimary();
  server.setZone(zoneAt(2026120601));
  secondaries.nsd = startNsd(spec('nsd', NSD));
  secondaries.knot = startKnot(spec('knot', KNOT));
  secondaries.bind = startBind(spec('bind', BIND));
});

afterAll(async () => {
  await Promise.all(Object.values(secondaries).map((s) => s.stop()));
  await server?.stop();
});

/** A secondary's log shows `pattern` (`times` matches) — logs may trail the answers by a moment. */
async function logged(s: Secondary, pattern: RegExp, times?: number): Promise<void> {
  const global = new RegExp(pattern.source, 'g');
  const count = () => s.log().match(global)?.length ?? 0;
  if (times === undefined) await expect.poll(count, { timeout: 20_000, message: `${s.kind} log: ${pattern}\n${s.log()}` }).toBeGreaterThan(0);
  else await expect.poll(count, { timeout: 20_000, message: `${s.kind} log: ${pattern}\n${s.log()}` }).toBe(times);
}


// each step waits for the secondaries (NOTIFY, SOA checks, transfers): a loaded machine may take long
describe('NSD, Knot and BIND as TSIG-protected IXFR secondaries', { timeout: 90_000 }, () => {
  it('each transfers the zone at start, TSIG-signed, and answers what mxpool answers', async () => {
    await allAt(2026120601);
    for (const s of Object.values(secondaries)) {
      for (const [name, type] of [['example.com', 'MX'], ['mx.example.com', 'A'], ['mx3.example.com', 'AAAA'], ['example.com', 'TXT']] as const) {
        expect(await sorted(s.host, s.port, name, type), `${s.kind} ${name} ${type}`).toEqual(await sorted(PRIMARY, port, name, type));
      }
    }
    await logged(secondaries.nsd!, /received update to serial 2026120601 .* TSIG verified with key xfr-nsd/);
    await logged(secondaries.knot!, /AXFR, incoming, remote 127\.16\.0\.10@\d+( TSIG 'xfr-knot')?, finished/);
    await logged(secondaries.bind!, /transferred serial 2026120601: TSIG 'xfr-bind'/);
  });

  it('a health change reaches all three by NOTIFY and IXFR, and each logs an incremental transfer', async () => {
    server.setZone(zoneAt(2026120602, { 'mx1.example.com': 'unhealthy' }));
    await allAt(2026120602);
    for (const s of Object.values(secondaries)) {
      expect(await sorted(s.host, s.port, 'example.com', 'MX'), s.kind).toEqual(['10 mx2.example.com.', '10 mx3.example.com.']);
      expect(await dig(s.host, s.port, ['mx1.example.com', 'A']), s.kind).toMatch(/status: NXDOMAIN/);
    }
    await logged(secondaries.knot!, /IXFR, incoming, remote 127\.16\.0\.10@\d+.*finished/);
    await logged(secondaries.knot!, /serial 2026120601 -> 2026120602/);
    await logged(secondaries.bind!, /requesting IXFR for serial 2026120601/);
    await logged(secondaries.bind!, /got incremental response/);
    await logged(secondaries.bind!, /transferred serial 2026120602: TSIG 'xfr-bind'/);
    // NSD names the size of what it received: the change, not the zone
    await logged(secondaries.nsd!, /received update to serial 2026120602 .* TSIG verified with key xfr-nsd of (\d+) bytes/);
    const nsd = secondaries.nsd!.log();
    const full = Number(/received update to serial 2026120601 .* of (\d+) bytes/.exec(nsd)?.[1]);
    const change = Number(/received update to serial 2026120602 .* TSIG verified with key xfr-nsd of (\d+) bytes/.exec(nsd)?.[1]);
    expect(change).toBeGreaterThan(0);
    expect(change).toBeLessThan(full / 4);
    expect(nsd).not.toMatch(/Failed to apply IXFR cleanly/);
    // and mxpool's side: one incremental answer to each, signed with each one's key
    const ours = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'zone transfer' && l.form === 'ixfr-incremental' && l.from === 2026120601);
    expect(ours.map((l) => `${String(l.remote)} ${String(l.key)}`).sort()).toEqual(['127.0.0.1 xfr-bind', '127.16.0.11 xfr-nsd', '127.16.0.12 xfr-knot'].sort());
  });

  it('a restart of mxpool keeps the journal: the next change is incremental for all three, and IXFR from before the restart still is', async () => {
    await server.stop();
    await startPrimary();
    server.setZone(zoneAt(2026120603));
    expect(logLines.filter((line) => line.includes('journal restored from the state directory'))).toHaveLength(1);
    await allAt(2026120603);
    await logged(secondaries.bind!, /got incremental response/, 2);
    await logged(secondaries.knot!, /IXFR, incoming, remote [^,]*, finished/, 2);
    // the difference from 01 was made before the restart
    const key = keys.knot;
    const ixfr = await dig(PRIMARY, port, ['-b', KNOT, '-y', `${key.algorithm}:${key.name}:${key.secret}`, 'example.com', 'IXFR=2026120601', '+tcp']);
    expect(ixfr).not.toMatch(/tsig verify failure|Transfer failed/i);
    expect(ixfr.split('\n').filter((l) => /\sSOA\s/.test(l)).map((l) => l.split(/\s+/)[6])).toEqual(['2026120603', '2026120601', '2026120603', '2026120603']);
  });

  it('a secondary away for longer than the journal reaches gets the whole zone (AXFR-style IXFR) and is whole again', async () => {
    await secondaries.knot!.stop();
    const hosts: HealthState[] = ['unhealthy', 'healthy', 'draining', 'healthy', 'unhealthy'];
    hosts.forEach((state, i) => server.setZone(zoneAt(2026120604 + i, { 'mx2.example.com': state })));
    // the journal keeps 3 differences: Knot's serial 03 is no longer in it
    secondaries.knot = startKnot(spec('knot', KNOT));
    await allAt(2026120608);
    await logged(secondaries.knot, /AXFR-style IXFR/);
    expect(await sorted(KNOT, ports.knot, 'example.com', 'MX')).toEqual(await sorted(PRIMARY, port, 'example.com', 'MX'));
    expect(await sorted(KNOT, ports.knot, 'example.com', 'MX')).toEqual(['10 mx1.example.com.', '10 mx3.example.com.']);
  });

  it('no TSIG secret ever reached a log line', () => {
    const all = logLines.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const key of Object.values(keys)) {
      expect(all).not.toContain(key.secret);
      expect(all).not.toContain(Buffer.from(key.secret, 'base64').toString('hex'));
    }
  });
});
