// Config and health builders for the desired-records tests.
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { HealthSnapshot, HealthState, HostHealth } from '../../src/model.ts';

export const BASE_YAML = `
zone: example.com
ttl: 30
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hostname: mx.example.com
    hosts:
      - { name: mx1.example.com, address: 192.0.2.11, weight: 3 }
      - { name: mx2.example.com, address: 192.0.2.12, weight: 1 }
      - { name: mx3.example.com, address: "2001:db8::13", weight: 1 }
  - name: outbound
    role: outbound
    hostname: smtp.example.com
    hosts:
      - { name: relay1.example.com, address: 192.0.2.21, weight: 3 }
      - { name: relay2.example.com, address: 192.0.2.22, weight: 1 }
      - { name: backup.example.com, address: 192.0.2.23, weight: 0 }
auth:
  spf: { extra: ["ip4:198.51.100.0/24"], all: "-all" }
  dmarc: { p: quarantine, rua: ["mailto:dmarc@example.com"] }
nameserver:
  listen: ["127.0.2.1:5300"]
  ns: [ns1.example.com, ns2.example.net]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
records:
  - { name: ns1.example.com, type: A, value: 192.0.2.53 }
  - { name: www.example.com, type: CNAME, value: example.net. }
  - { name: example.com, type: TXT, value: "google-site-verification=abc" }
  - { name: _sip._tcp.example.com, type: SRV, value: "10 5 5060 sip" }
  - { name: example.com, type: CAA, value: '0 issue "letsencrypt.org"' }
`;

export function config(yaml = BASE_YAML): Config {
  return parseConfig(yaml, 'test.yaml');
}

/** Health from a map of host -> state; every other host of the config is healthy. */
export function health(cfg: Config, states: Record<string, HealthState> = {}): HealthSnapshot {
  const snapshot = new Map<string, HostHealth>();
  for (const pool of cfg.pools) {
    for (const host of pool.hosts) {
      snapshot.set(host.name, { host: host.name, pool: pool.name, state: states[host.name] ?? 'healthy', since: 0 });
    }
  }
  return snapshot;
}
