// IXFR and TSIG per zone: the top-level zone and tenant zones each keep their own journal (own
// serials, own file in stateDir/journal), NSD and Knot pull several of them as TSIG-protected
// secondaries and follow a health change with an incremental transfer of each changed zone; dig -y
// IXFR=serial of a tenant zone gets that zone's difference; a zone left unchanged keeps its serial
// and gets no transfer; a restart keeps every zone's journal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { DnsServer } from '../../src/dns/server.ts';
import { keyring } from '../../src/dns/tsig/keys.ts';
import { journalFile } from '../../src/dns/journal/file.ts';
import { desired } from '../../src/desired.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import type { Config } from '../../src/config/schema.ts';
import type { DesiredZone } from '../../src/model.ts';
import { answerLines, dig } from '../dns/helpers.ts';
import { health } from '../desired/fixtures.ts';
import { freePort, startKnot, startNsd, type Secondary, type TsigSpec } from '../helpers/secondaries.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { ispConfig } from './fixtures.ts';

const PRIMARY = '127.16.3.1';
const NSD = '127.16.3.2';
const KNOT = '127.16.3.3';
const ZONES = ['isp.example', 'customer1.example', 'customer2.example', 'backup-only.example'];
const dir = tempDir('mxpool-tenant-xfr-');
const keys: Record<'nsd' | 'knot', TsigSpec> = {
  nsd: { name: 'xfr-nsd', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') },
  knot: { name: 'xfr-knot', algorithm: 'hmac-sha512', secret: randomBytes(64).toString('base64') },
};
const logLines: string[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
let cfg: Config;
let tenants: TenantZones;
let server: DnsServer;
let port: number;
let ports: Record<'nsd' | 'knot', number>;
const secondaries: Record<string, Secondary> = {};

function zonesAt(serial: number, states: Record<string, 'healthy' | 'unhealthy'>, at: Date): DesiredZone[] {
  const top = desired(cfg, health(cfg, states), { serial, now: at.getTime() });
  return [top, ...tenants.publish(cfg, top.published ?? {}, at)];
}

async function startPrimary(): Promise<void> {
  server = new DnsServer({
    nameserver: cfg.nameserver as NonNullable<Config['nameserver']>,
    zone: cfg.zone,
    logger,
    keys: keyring(Object.values(keys).map((k) => ({ name: k.name, algorithm: k.algorithm, secret: Buffer.from(k.secret, 'base64') }))),
    stateDir: join(dir, 'state'),
    notifyDelays: [1000, 1000, 2000, 2000, 4000],
  });
  await server.start();
}

const serial = async (s: { host: string; port: number }, zone: string) => (await dig(s.host, s.port, ['+short', zone, 'SOA']).catch(() => '')).trim().split(' ')[2];
const serials = (s: { host: string; port: number }) => Promise.all(ZONES.map((zone) => serial(s, zone)));

async function secondariesMatchPrimary(): Promise<void> {
  const wanted = await serials({ host: PRIMARY, port });
  for (const s of Object.values(secondaries)) await expect.poll(() => serials(s), { timeout: 50_000, interval: 200, message: s.kind }).toEqual(wanted);
}

beforeAll(async () => {
  ports = { nsd: await freePort(NSD), knot: await freePort(KNOT) };
  port = await freePort(PRIMARY);
  const parsed = ispConfig();
  cfg = {
    ...parsed,
    nameserver: {
      ...(parsed.nameserver as NonNullable<Config['nameserver']>),
      listen: [`${PRIMARY}:${port}`],
      tsig: Object.values(keys).map((k) => ({ name: k.name, algorithm: k.algorithm, secretEnv: 'UNUSED' })),
      transfer: {
        allow: [{ address: NSD, key: keys.nsd.name }, { address: KNOT, key: keys.knot.name }],
        notify: [{ address: `${NSD}:${ports.nsd}`, key: keys.nsd.name }, { address: `${KNOT}:${ports.knot}`, key: keys.knot.name }],
      },
      journal: { maxVersions: 10, maxBytes: 1 << 20 },
    },
  };
  tenants = new TenantZones(cfg);
  await startPrimary();
  server.setZones(zonesAt(2026120700, {}, new Date('2026-12-07T00:00:00Z')));
  const spec = (kind: 'nsd' | 'knot', host: string) => ({ zones: ZONES, primary: { host: PRIMARY, port }, key: keys[kind], host, port: ports[kind], dir: join(dir, kind) });
  secondaries.nsd = startNsd(spec('nsd', NSD));
  secondaries.knot = startKnot(spec('knot', KNOT));
});

afterAll(async () => {
  await Promise.all(Object.values(secondaries).map((s) => s.stop()));
  await server?.stop();
});

const transfers = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'zone transfer');

describe('IXFR and TSIG per zone (tenants)', { timeout: 120_000 }, () => {
  it('NSD and Knot pull the top-level zone and the tenant zones, each signed with its own key', async () => {
    await secondariesMatchPrimary();
    expect(await serials({ host: PRIMARY, port })).toEqual(ZONES.map(() => '2026120700'));
    const seen = new Set(transfers().map((t) => `${String(t.zone)} ${String(t.key)}`));
    for (const zone of ZONES) for (const key of ['xfr-nsd', 'xfr-knot']) expect(seen, `${zone} ${key}`).toContain(`${zone} ${key}`);
  });

  it('a health change: each changed zone goes incrementally to both, the unchanged tenant zone keeps its serial', async () => {
    const before = transfers().length;
    const changed = zonesAt(2026120701, { 'mx3.isp.example': 'unhealthy' }, new Date('2026-12-07T01:00:00Z'));
    expect(changed.map((z) => z.zone).sort()).toEqual(['customer1.example', 'customer2.example', 'isp.example', 'sub.unrelated.example']);
    server.setZones(changed);
    await secondariesMatchPrimary();
    expect(await serials({ host: NSD, port: ports.nsd })).toEqual(['2026120701', '2026120701', '2026120701', '2026120700']);
    for (const s of Object.values(secondaries)) {
      expect((await dig(s.host, s.port, ['+short', 'customer1.example', 'MX'])).trim().split('\n').sort(), s.kind).toEqual(['10 mx1.isp.example.', '10 mx2.isp.example.', '10 mx4.isp.example.']);
    }
    const after = transfers().slice(before).filter((t) => t.serial === 2026120701);
    for (const zone of ['isp.example', 'customer1.example', 'customer2.example']) {
      for (const key of ['xfr-nsd', 'xfr-knot']) {
        const mine = after.filter((t) => t.zone === zone && t.key === key);
        expect(mine.length, `${zone} ${key}`).toBeGreaterThan(0);
        expect(mine.every((t) => t.form === 'ixfr-incremental' && t.from === 2026120700), `${zone} ${key}: ${JSON.stringify(mine)}`).toBe(true);
      }
    }
    expect(after.filter((t) => t.zone === 'backup-only.example')).toEqual([]);
    await expect.poll(() => secondaries.knot!.log(), { timeout: 20_000 }).toMatch(/\[customer2\.example\.\] IXFR, incoming, remote [^,]*, finished/);
  });

  it('dig -y IXFR=serial of a tenant zone: that zone\'s difference alone', async () => {
    const key = keys.nsd;
    const out = await dig(PRIMARY, port, ['-b', NSD, '-y', `${key.algorithm}:${key.name}:${key.secret}`, 'customer1.example', 'IXFR=2026120700', '+tcp']);
    expect(out).not.toMatch(/Transfer failed|could not be validated|Couldn't verify/);
    const records = answerLines(out).filter((r) => r[3] !== 'TSIG');
    expect(records.filter((r) => r[3] === 'SOA').map((r) => r[6])).toEqual(['2026120701', '2026120700', '2026120701', '2026120701']);
    expect(records.filter((r) => r[3] !== 'SOA').map((r) => `${r[0]} ${r[3]} ${r.slice(4).join(' ')}`)).toEqual(['customer1.example. MX 10 mx3.isp.example.']);
    // unsigned from the same address: refused, for a tenant zone too
    expect(await dig(PRIMARY, port, ['-b', NSD, 'customer1.example', 'IXFR=2026120700', '+tcp'])).toMatch(/Transfer failed/);
  });

  it('a restart keeps every zone\'s journal: the next change is incremental for the tenant zones too', async () => {
    await server.stop();
    for (const zone of ZONES) expect(existsSync(journalFile(join(dir, 'state'), zone)), zone).toBe(true);
    await startPrimary();
    // the versions served before the restart again (serve restores them from its state), then a change
    const top = desired(cfg, health(cfg, { 'mx3.isp.example': 'unhealthy' }), { serial: 2026120701, now: new Date('2026-12-07T01:00:00Z').getTime() });
    server.setZones([top, ...tenants.zones()]);
    expect(logLines.filter((line) => line.includes('journal restored from the state directory'))).toHaveLength(ZONES.length + 1);
    const before = transfers().length;
    server.setZones(zonesAt(2026120702, {}, new Date('2026-12-07T02:00:00Z')));
    await secondariesMatchPrimary();
    const after = transfers().slice(before).filter((t) => t.serial === 2026120702 && t.zone === 'customer1.example');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((t) => t.form === 'ixfr-incremental' && t.from === 2026120701), JSON.stringify(after)).toBe(true);
  });
});
