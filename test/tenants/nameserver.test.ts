// One nameserver, many zones: the top-level zone and 300 tenant zones on the same listeners, asked
// by dig over UDP and TCP. Each name is answered from its own zone (its SOA in negative answers),
// names outside all of them are REFUSED, AXFR works per zone for transfer.allow, and a change of one
// zone swaps that zone alone: its serial and answers change, the others' do not, and NOTIFY goes
// out for that zone only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { DnsServer } from '../../src/dns/server.ts';
import { desired } from '../../src/desired.ts';
import { silentLogger } from '../../src/log.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { OPCODE } from '../../src/dns/constants.ts';
import type { Config } from '../../src/config/schema.ts';
import { answerLines, dig } from '../dns/helpers.ts';
import { health } from '../desired/fixtures.ts';
import { ispConfig, ISP_YAML, manyTenants } from './fixtures.ts';

const HOST = '127.13.0.2';
const ALLOWED = '127.13.0.3';
const OTHER = '127.13.0.4';
const SECONDARY = '127.13.0.5';
const EXTRA = 300;

let server: DnsServer;
let port: number;
let cfg: Config;
let tenants: TenantZones;
let secondary: Socket;
const notified: string[] = [];

function publish(states: Record<string, 'healthy' | 'unhealthy'>, serial: number, at: Date) {
  const top = desired(cfg, health(cfg, states), { serial, now: at.getTime() });
  return { top, changed: tenants.publish(cfg, top.published ?? {}, at) };
}

beforeAll(async () => {
  secondary = createSocket('udp4');
  secondary.on('message', (msg, remote) => {
    const decoded = decodeQuery(msg);
    if (!decoded.ok || decoded.query.opcode !== OPCODE.NOTIFY) return;
    notified.push(decoded.query.question.lower.join('.'));
    const reply = Buffer.from(msg);
    reply[2] = (reply[2] as number) | 0x80;
    secondary.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => secondary.bind(0, SECONDARY, () => resolve()));
  cfg = ispConfig(`${ISP_YAML}${manyTenants(EXTRA)}`);
  tenants = new TenantZones(cfg);
  const nameserver = { ...(cfg.nameserver as NonNullable<Config['nameserver']>), listen: [`${HOST}:0`], transfer: { allow: [ALLOWED], notify: [`${SECONDARY}:${secondary.address().port}`] } };
  server = new DnsServer({ nameserver, zone: cfg.zone, logger: silentLogger, notifyDelays: [1000, 1000] });
  const { top, changed } = publish({}, 2026120100, new Date('2026-12-01T00:00:00Z'));
  server.setZone(top);
  server.setZones(changed);
  await server.start();
  port = Number(/:(\d+)$/.exec(server.listening().udp[0] as string)?.[1]);
});

afterAll(async () => {
  await server?.stop();
  secondary?.close();
});

const short = async (name: string, type: string, tcp = false) => (await dig(HOST, port, ['+short', ...(tcp ? ['+tcp'] : []), name, type])).trim().split('\n').filter(Boolean).sort();

describe('one nameserver, many zones', () => {
  it('serves every zone (top-level and 304 tenants) over UDP and TCP from the same listener', async () => {
    expect(server.zones()).toHaveLength(1 + 4 + EXTRA);
    for (const tcp of [false, true]) {
      expect(await short('customer1.example', 'MX', tcp)).toEqual(['10 mx1.isp.example.', '10 mx2.isp.example.', '10 mx3.isp.example.', '10 mx4.isp.example.']);
      expect(await short(`customer${100 + EXTRA - 1}.example`, 'TXT', tcp)).toEqual(['"v=spf1 include:_spf.isp.example -all"']);
      expect(await short('_dmarc.customer250.example', 'TXT', tcp)).toEqual(['"v=DMARC1; p=none"']);
      expect(await short('_spf.isp.example', 'TXT', tcp)).toEqual(['"v=spf1 ip4:192.0.2.21 ip4:192.0.2.22 -all"']);
      expect(await short('sub.unrelated.example', 'NS', tcp)).toEqual(['ns.customer-dns.example.']);
    }
    const answer = await dig(HOST, port, ['customer7.example', 'A']);
    expect(answer).toMatch(/status: REFUSED/); // a sibling of the tenants, in no zone
    expect(await dig(HOST, port, ['unrelated.example', 'SOA'])).toMatch(/status: REFUSED/); // the parent of a tenant zone is not served
  });

  it('answers negatively from the zone the name is in: its own SOA in authority, AA set', async () => {
    const nx = await dig(HOST, port, ['nothere.customer2.example', 'A']);
    expect(nx).toMatch(/status: NXDOMAIN/);
    expect(nx).toMatch(/flags: qr aa/);
    expect(nx).toMatch(/AUTHORITY SECTION:\ncustomer2\.example\.\s+60\s+IN\s+SOA\s+ns1\.isp\.example\. hostmaster\.isp\.example\. 2026120100 /);
    const nodata = await dig(HOST, port, ['customer1.example', 'AAAA']);
    expect(nodata).toMatch(/status: NOERROR/);
    expect(nodata).toMatch(/ANSWER: 0,/);
    expect(nodata).toMatch(/AUTHORITY SECTION:\ncustomer1\.example\.\s+60\s+IN\s+SOA\s/);
  });

  it('AXFR of one tenant zone to transfer.allow: that zone alone, SOA first and last; refused elsewhere', async () => {
    const records = answerLines(await dig(HOST, port, ['-b', ALLOWED, 'customer1.example', 'AXFR']));
    expect(records[0]?.[3]).toBe('SOA');
    expect(records[records.length - 1]?.[3]).toBe('SOA');
    expect(records.every((r) => r[0] === 'customer1.example.' || (r[0] as string).endsWith('.customer1.example.'))).toBe(true);
    expect(records.filter((r) => r[3] === 'MX')).toHaveLength(4);
    expect(records.map((r) => r[3])).toEqual(expect.arrayContaining(['SOA', 'NS', 'MX', 'TXT', 'CNAME']));
    expect(await dig(HOST, port, ['-b', OTHER, 'customer1.example', 'AXFR'])).toMatch(/Transfer failed|REFUSED/);
    expect(await dig(HOST, port, ['-b', ALLOWED, 'www.customer1.example', 'AXFR'])).toMatch(/Transfer failed|NOTAUTH/);
  });

  it('a health change swaps only the zones it changes: their serial and MX, NOTIFY for them alone', async () => {
    // start-up: every zone (a NOTIFY answered late is sent again: count zones, not messages)
    await expect.poll(() => new Set(notified).size, { timeout: 20_000 }).toBe(1 + 4 + EXTRA);
    await new Promise((resolve) => setTimeout(resolve, 500));
    notified.length = 0;
    // warm the fast path with the answers of a zone that will change and one that will not
    const before = await short('customer1.example', 'MX');
    const backupOnly = await short('backup-only.example', 'MX');
    expect(await short('customer1.example', 'MX')).toEqual(before);
    const { top, changed } = publish({ 'mx3.isp.example': 'unhealthy' }, 2026120101, new Date('2026-12-01T01:00:00Z'));
    expect(changed).toHaveLength(3 + EXTRA); // every tenant using the inbound pool; backup-only.example keeps its version
    server.setZone(top);
    server.setZones(changed);
    expect(await short('customer1.example', 'MX')).toEqual(before.filter((mx) => !mx.includes('mx3')));
    expect(await short('customer150.example', 'MX', true)).not.toContain('10 mx3.isp.example.');
    expect(await short('backup-only.example', 'MX')).toEqual(backupOnly);
    expect((await short('customer1.example', 'SOA'))[0]).toMatch(/ 2026120101 /);
    expect((await short('backup-only.example', 'SOA'))[0]).toMatch(/ 2026120100 /);
    await expect.poll(() => new Set(notified).size, { timeout: 20_000 }).toBe(1 + 3 + EXTRA);
    expect(notified).not.toContain('backup-only.example');
  });

  it('replacing the whole set removes the zones left out', async () => {
    const keep = tenants.zones().filter((zone) => zone.zone !== 'customer2.example');
    const top = desired(cfg, health(cfg), { serial: 2026120102, now: 0 });
    server.setZones([top, ...keep], { replaceAll: true });
    expect(await dig(HOST, port, ['customer2.example', 'MX'])).toMatch(/status: REFUSED/);
    expect(await short('customer1.example', 'MX')).toHaveLength(3);
  });
});
