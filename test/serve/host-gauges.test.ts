// The per-host gauges follow health and the zone, and touch only the hosts that changed.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { Metrics } from '../../src/http/metrics.ts';
import { HostGauges } from '../../src/daemon/host-gauges.ts';
import type { DesiredZone, HealthState } from '../../src/model.ts';

const config = parseConfig(`zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
      - { name: mx2.example.com, address: 192.0.2.2 }
      - { name: mx3.example.com, address: 192.0.2.3 }
`);

function zone(published: string[]): DesiredZone {
  return { zone: 'example.com', serial: 1, sets: [], notes: [], published: { inbound: published } };
}

function setup() {
  const metrics = new Metrics();
  const states = new Map<string, HealthState>([['mx1.example.com', 'healthy'], ['mx2.example.com', 'healthy'], ['mx3.example.com', 'unhealthy']]);
  const touched: string[] = [];
  const recording = {
    hostState: (host: string, pool: string, healthy: boolean, inDns: boolean) => { touched.push(host); metrics.hostState(host, pool, healthy, inDns); },
    declareHost: (host: string, pool: string) => metrics.declareHost(host, pool),
    forgetHost: (host: string, pool: string) => metrics.forgetHost(host, pool),
  };
  const gauges = new HostGauges(recording, config, (host) => states.get(host));
  const value = async (metric: string, host: string) => Number(new RegExp(`^${metric}\\{host="${host.replace(/\./g, '\\.')}",pool="inbound"\\} (\\d+)$`, 'm').exec(await metrics.text())?.[1]);
  return { states, touched, gauges, value, metrics };
}

describe('HostGauges', () => {
  it('sets every host on the first zone, then only hosts that entered or left the records', async () => {
    const { touched, gauges, value } = setup();
    gauges.zoneChanged(zone(['mx1.example.com', 'mx2.example.com']));
    expect(touched.sort()).toEqual(['mx1.example.com', 'mx2.example.com', 'mx3.example.com']);
    expect(await value('mxpool_host_in_dns', 'mx1.example.com')).toBe(1);
    expect(await value('mxpool_host_in_dns', 'mx3.example.com')).toBe(0);
    expect(await value('mxpool_host_up', 'mx3.example.com')).toBe(0);
    touched.length = 0;
    gauges.zoneChanged(zone(['mx1.example.com', 'mx2.example.com'])); // same records: nothing to do
    expect(touched).toEqual([]);
    gauges.zoneChanged(zone(['mx1.example.com']));
    expect(touched).toEqual(['mx2.example.com']);
    expect(await value('mxpool_host_in_dns', 'mx2.example.com')).toBe(0);
  });

  it('a transition updates that host alone, with its current place in the records', async () => {
    const { states, touched, gauges, value } = setup();
    gauges.zoneChanged(zone(['mx1.example.com', 'mx2.example.com']));
    touched.length = 0;
    states.set('mx2.example.com', 'unhealthy'); // down, still named (whenAllDown or before the next zone)
    gauges.hostChanged('mx2.example.com', 'inbound');
    expect(touched).toEqual(['mx2.example.com']);
    expect(await value('mxpool_host_up', 'mx2.example.com')).toBe(0);
    expect(await value('mxpool_host_in_dns', 'mx2.example.com')).toBe(1);
  });

  it('a reload drops the series of a host that left (no "down" forever), declares a new one and keeps the rest', async () => {
    const { states, gauges, value, metrics } = setup();
    gauges.zoneChanged(zone(['mx1.example.com', 'mx2.example.com']));
    const next = parseConfig(`zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
      - { name: mx2.example.com, address: 192.0.2.2 }
      - { name: mx4.example.com, address: 192.0.2.4 }
`);
    states.set('mx4.example.com', 'healthy');
    gauges.reconfigure(next);
    const text = await metrics.text();
    expect(text).not.toMatch(/host="mx3\.example\.com"/);
    expect(await value('mxpool_host_up', 'mx4.example.com')).toBe(1);
    expect(await value('mxpool_host_in_dns', 'mx4.example.com')).toBe(0); // not in the records until the next zone
    expect(await value('mxpool_host_in_dns', 'mx1.example.com')).toBe(1);
    gauges.zoneChanged(zone(['mx1.example.com', 'mx2.example.com', 'mx4.example.com']));
    expect(await value('mxpool_host_in_dns', 'mx4.example.com')).toBe(1);
  });
});
