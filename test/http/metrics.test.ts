import { describe, it, expect } from 'vitest';
import { Metrics, failureClass } from '../../src/http/metrics.ts';

describe('failureClass: bounded label values for probe failures', () => {
  it.each([
    ['connect', 'connection refused', 'refused'],
    ['greeting', 'connection reset by peer', 'closed'],
    ['greeting', 'timed out after 3000 ms waiting for the greeting', 'timeout'],
    ['connect', 'connect EHOSTUNREACH 192.0.2.1:25', 'unreachable'],
    ['cert', 'certificate expires in 3 days (certMinDays 7)', 'certificate'],
    ['tls', 'handshake failure', 'tls'],
    ['greeting', 'greeting 421 4.3.2 try again at 12:03:04', 'greeting'],
    ['ehlo', 'EHLO answered 550', 'ehlo'],
    ['quit', 'QUIT answered 500', 'quit'],
    [undefined, 'something odd', 'other'],
  ])('%s / %s -> %s', (stage, reason, expected) => {
    expect(failureClass(stage, reason)).toBe(expected);
  });
});

describe('Metrics', () => {
  it('keeps its own registry: two instances do not share counters', async () => {
    const a = new Metrics({ processMetrics: false });
    const b = new Metrics({ processMetrics: false });
    let answered = [{ type: 'A', rcode: 'NOERROR', transport: 'udp' as const, count: 2 }];
    a.dnsQueriesFrom(() => answered);
    expect(await a.text()).toContain('mxpool_dns_queries_total{type="A",rcode="NOERROR",transport="udp"} 2');
    expect(await b.text()).not.toContain('rcode="NOERROR"');
    // each scrape adds what was answered since the last one: the counter follows the nameserver's count
    answered = [{ ...answered[0]!, count: 5 }, { type: 'MX', rcode: 'NXDOMAIN', transport: 'udp', count: 1 }];
    const text = await a.text();
    expect(text).toContain('mxpool_dns_queries_total{type="A",rcode="NOERROR",transport="udp"} 5');
    expect(text).toContain('mxpool_dns_queries_total{type="MX",rcode="NXDOMAIN",transport="udp"} 1');
  });

  it('records probes, host state, zone serial, syncs and audit findings', async () => {
    const m = new Metrics({ processMetrics: false });
    m.declareHost('mx1.example.com', 'inbound');
    m.probe({ host: 'mx1.example.com', pool: 'inbound', ok: true, ms: 40 });
    m.probe({ host: 'mx1.example.com', pool: 'inbound', ok: false, ms: 3000, reason: 'timeout' });
    m.hostState('mx1.example.com', 'inbound', true, false);
    m.zone(2026120101);
    m.sync('route53', 'error');
    m.audit({ errors: 1, warnings: 2, infos: 3 });
    const text = await m.text();
    expect(text).toContain('mxpool_probe_duration_seconds_bucket{le="0.05",host="mx1.example.com",pool="inbound",result="ok"} 1');
    expect(text).toContain('mxpool_probe_failures_total{host="mx1.example.com",pool="inbound",reason="timeout"} 1');
    expect(text).toContain('mxpool_host_up{host="mx1.example.com",pool="inbound"} 1');
    expect(text).toContain('mxpool_host_in_dns{host="mx1.example.com",pool="inbound"} 0');
    expect(text).toContain('mxpool_zone_serial 2026120101');
    expect(text).toContain('mxpool_syncs_total{provider="route53",result="error"} 1');
    expect(text).toContain('mxpool_audit_findings{severity="warning"} 2');
  });
});
