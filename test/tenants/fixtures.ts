// An ISP config with tenant (customer) zones, for the tenant tests: two inbound pools (main and
// backup), one outbound pool, auth.spf.sharedName, and tenants that use the pools in different ways.
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';

export const ISP_YAML = `
zone: isp.example
ttl: 30
pools:
  - name: inbound
    role: inbound
    mx: { name: isp.example, preference: 10 }
    hosts:
      - { name: mx1.isp.example, address: 192.0.2.11 }
      - { name: mx2.isp.example, address: 192.0.2.12 }
      - { name: mx3.isp.example, address: 192.0.2.13 }
      - { name: mx4.isp.example, address: 192.0.2.14 }
  - name: backup
    role: inbound
    mx: { name: isp.example, preference: 50 }
    hosts:
      - { name: mx9.isp.example, address: 192.0.2.19 }
  - name: outbound
    role: outbound
    hosts:
      - { name: relay1.isp.example, address: 192.0.2.21 }
      - { name: relay2.isp.example, address: 192.0.2.22 }
auth:
  spf: { sharedName: _spf.isp.example, all: "-all" }
  dmarc: { p: reject }
nameserver:
  listen: ["127.13.0.1:5300"]
  ns: [ns1.isp.example]
  soa: { mname: ns1.isp.example, rname: hostmaster.isp.example }
records:
  - { name: ns1.isp.example, type: A, value: 192.0.2.53 }
tenants:
  - zone: customer1.example
    mx: [{ pool: inbound, preference: 10 }]
    dmarc: { p: reject, rua: ["mailto:dmarc@customer1.example"] }
    dkim: [{ selector: s1, key: "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC" }]
    records:
      - { name: www.customer1.example, type: CNAME, value: web.isp.example. }
      - { name: customer1.example, type: TXT, value: "site-verification=1" }
  - zone: customer2.example
    mx: [{ pool: inbound }, { pool: backup }]
    spf: { include: [_spf.isp.example, spf.mailer.example], all: "~all" }
  - zone: backup-only.example
    mx: [{ pool: backup, preference: 20 }]
  - zone: sub.unrelated.example
    mx: [{ pool: inbound }]
    nameserver: { ns: [ns.customer-dns.example] }
`;

export function ispConfig(yaml = ISP_YAML): Config {
  return parseConfig(yaml, 'isp.yaml');
}

/** `count` extra tenants customerN.example, each MX to inbound, as YAML list items. */
export function manyTenants(count: number, from = 100): string {
  return Array.from({ length: count }, (_, i) => `  - { zone: customer${from + i}.example, mx: [{ pool: inbound }], dmarc: { p: none } }\n`).join('');
}
