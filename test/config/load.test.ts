import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

describe('loadConfig', () => {
  it('accepts the example config and fills defaults', () => {
    const config = loadConfig('config/mxpool.example.yaml');
    expect(config.zone).toBe('example.com');
    expect(config.probe.rise).toBe(2);
    expect(config.probe.interval).toBe(5000);
    expect(Object.isFrozen(config.pools[0])).toBe(true);
  });

  it('reports a bad TTL with its line, column and key', () => {
    const text = 'zone: example.com\nttl: 0\npools:\n  - { name: p, role: outbound, hosts: [ { name: a.example.com, address: 192.0.2.1 } ] }\n';
    try {
      parseConfig(text, 'c.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('c.yaml:2:6: ttl: a TTL in seconds, a whole number 1..86400');
    }
  });
});
