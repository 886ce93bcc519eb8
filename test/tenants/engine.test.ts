// PURE: the multi-zone engine. The closest enclosing zone answers; a version swap of one zone drops
// only that zone's fast-path answers; weighted MX shared by many tenant zones share one set of
// rotations, and the fast path learns one template for all their orders.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/dns/engine.ts';
import { desired } from '../../src/desired.ts';
import { TenantZones } from '../../src/tenants/zones.ts';
import { TYPE } from '../../src/dns/constants.ts';
import type { DesiredZone } from '../../src/model.ts';
import { rawQuery } from '../dns/packets.ts';
import { decodeQuery } from '../../src/dns/query.ts';
import { answer } from '../../src/dns/answer.ts';
import { encodeResponse } from '../../src/dns/encode.ts';
import { health } from '../desired/fixtures.ts';
import { ispConfig, ISP_YAML, manyTenants } from './fixtures.ts';

const cfg = ispConfig(`${ISP_YAML}${manyTenants(20)}`);

function zones(states: Record<string, 'healthy' | 'unhealthy'> = {}, tenants = new TenantZones(cfg)): { top: DesiredZone; tenants: TenantZones; changed: DesiredZone[] } {
  const top = desired(cfg, health(cfg, states), { serial: 1, now: 0 });
  return { top, tenants, changed: tenants.publish(cfg, top.published ?? {}, new Date('2026-12-01T00:00:00Z')) };
}

const rcode = (reply: Buffer | undefined) => (reply?.[3] ?? 0xff) & 0x0f;

describe('the multi-zone engine', () => {
  it('answers each name from its closest enclosing zone and REFUSES the rest', () => {
    const { top, changed } = zones();
    const engine = new Engine([top, ...changed], Math.random);
    expect(engine.size).toBe(1 + changed.length);
    expect(engine.find(['www', 'customer1', 'example'])?.zone.zone).toBe('customer1.example');
    expect(engine.find(['a', 'b', 'sub', 'unrelated', 'example'])?.zone.zone).toBe('sub.unrelated.example');
    expect(engine.find(['unrelated', 'example'])).toBeUndefined();
    expect(engine.find(['mx1', 'isp', 'example'])?.zone.zone).toBe('isp.example');
    expect(rcode(engine.handle(rawQuery('unrelated.example', TYPE.A), 'udp')?.reply)).toBe(5);
    expect(rcode(engine.handle(rawQuery('nx.customer105.example', TYPE.A), 'udp')?.reply)).toBe(3);
  });

  it('tenant zones with the same MX share one set of rotations', () => {
    const { top, changed } = zones();
    const engine = new Engine([top, ...changed], Math.random);
    const mx = (zone: string) => engine.version(zone)?.index.nodes.get(zone)?.get('MX');
    expect(mx('customer100.example')?.rotations).toBeDefined();
    expect(mx('customer100.example')?.rotations).toBe(mx('customer119.example')?.rotations);
  });

  it('learns a rotated MX once: every order after that is a fast hit, byte for byte the generic answer', () => {
    const { top, changed } = zones();
    let next = 0;
    const engine = new Engine([top, ...changed], () => next);
    const index = engine.version('customer1.example')?.index as NonNullable<ReturnType<Engine['version']>>['index'];
    const classes = new Set(index.nodes.get('customer1.example')?.get('MX')?.slotClass).size;
    expect(classes).toBeGreaterThan(1);
    expect(classes).toBeLessThanOrEqual(24); // 4 hosts of equal weight: at most 4! orders
    const orders = new Set<string>();
    for (let slot = 0; slot < 256; slot++) {
      next = (slot + 0.5) / 256;
      const query = rawQuery('customer1.example', TYPE.MX, { id: slot });
      const reply = engine.handle(query, 'udp')?.reply as Buffer;
      const decoded = decodeQuery(query);
      if (!decoded.ok) throw new Error('decode');
      expect(reply.equals(encodeResponse(answer(index, decoded.query, { transport: 'udp', random: () => next }), 512)), `slot ${slot}`).toBe(true);
      const at = new Map([1, 2, 3, 4].map((n) => [n, reply.indexOf(`\u0003mx${n}`, 12, 'latin1')]));
      expect([...at.values()].every((offset) => offset > 0)).toBe(true); // every host, each written out in full
      orders.add([...at.keys()].sort((a, b) => (at.get(a) as number) - (at.get(b) as number)).join(','));
    }
    expect(engine.fastHits).toBe(255); // one generic answer, then one template for every order
    expect(orders.size).toBe(classes);
    expect(engine.fastEntries).toBe(1);
  });

  it('a new version of one zone drops its learnt answers; the other zones keep theirs', () => {
    const first = zones();
    const engine = new Engine([first.top, ...first.changed], () => 0.4);
    const ask = (zone: string) => engine.handle(rawQuery(zone, TYPE.MX), 'udp')?.reply as Buffer;
    const before = { one: ask('customer1.example'), backup: ask('backup-only.example') };
    expect(engine.fastEntries).toBe(2);
    const after = zones({ 'mx2.isp.example': 'unhealthy' }, first.tenants);
    for (const zone of after.changed) engine.set(zone);
    expect(ask('customer1.example').equals(before.one)).toBe(false);
    expect(ask('customer1.example').includes(Buffer.from('\u0003mx2', 'latin1'))).toBe(false);
    expect(ask('backup-only.example').equals(before.backup)).toBe(true);
    expect(engine.fastEntries).toBe(2);
    engine.remove('backup-only.example');
    expect(rcode(ask('backup-only.example'))).toBe(5);
  });
});
