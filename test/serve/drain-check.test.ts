import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { HealthState, HostHealth } from '../../src/model.ts';
import { drainWouldNotWithdraw } from '../../src/daemon/drain-check.ts';

const config = (whenAllDown: string, minHealthy = 1) => parseConfig(`
zone: example.com
pools:
  - name: relays
    role: outbound
    hostname: smtp.example.com
    whenAllDown: ${whenAllDown}
    minHealthy: ${minHealthy}
    hosts:
      - { name: relay1.example.com, address: 192.0.2.1 }
      - { name: relay2.example.com, address: 192.0.2.2 }
      - { name: relay3.example.com, address: 192.0.2.3 }
`);

function health(states: HealthState[]): Map<string, HostHealth> {
  return new Map(states.map((state, i) => [`relay${i + 1}.example.com`, { host: `relay${i + 1}.example.com`, pool: 'relays', state, since: 0 }]));
}

describe('drainWouldNotWithdraw', () => {
  it('allows a drain while another host stays healthy', () => {
    expect(drainWouldNotWithdraw(config('all'), health(['healthy', 'healthy', 'unhealthy']), 'relay1.example.com', {}, 1)).toBeUndefined();
  });

  it('refuses the last healthy host under whenAllDown: all, naming the pool and the rule', () => {
    const why = drainWouldNotWithdraw(config('all'), health(['healthy', 'unhealthy', 'unhealthy']), 'relay1.example.com', {}, 1);
    expect(why).toMatch(/would not take it out of DNS: pool relays would have 0 healthy host\(s\) besides it .*whenAllDown: all/);
  });

  it('refuses under last-known-good when the host is in the known good set', () => {
    expect(drainWouldNotWithdraw(config('last-known-good'), health(['healthy', 'unhealthy', 'unhealthy']), 'relay1.example.com', { relays: ['relay1.example.com'] }, 1)).toBeDefined();
  });

  it('allows it under whenAllDown: none (the pool may go empty: the operator said so)', () => {
    expect(drainWouldNotWithdraw(config('none'), health(['healthy', 'unhealthy', 'unhealthy']), 'relay1.example.com', {}, 1)).toBeUndefined();
  });

  it('refuses when the drain would break minHealthy and the fallback publishes everyone', () => {
    expect(drainWouldNotWithdraw(config('all', 2), health(['healthy', 'healthy', 'unhealthy']), 'relay1.example.com', {}, 1)).toBeDefined();
  });

  it('has nothing to say about unknown, draining or disabled hosts', () => {
    expect(drainWouldNotWithdraw(config('all'), health(['draining', 'unhealthy', 'unhealthy']), 'relay1.example.com', {}, 1)).toBeUndefined();
    expect(drainWouldNotWithdraw(config('all'), health(['healthy', 'unhealthy', 'unhealthy']), 'nope.example.com', {}, 1)).toBeUndefined();
  });
});
