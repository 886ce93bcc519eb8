// A mail domain config for the pool-consistency tests and the end-to-end audit.
import { parseConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/schema.ts';
import { rsaPublicKey } from './zones.ts';

const KEY = rsaPublicKey(2048);

export function mailConfig(options: { ttl?: number; listen?: string; dmarc?: string } = {}): Config {
  return parseConfig(mailConfigYaml(options));
}

/** The same config as YAML text (for the command line). */
export function mailConfigYaml(options: { ttl?: number; listen?: string; dmarc?: string } = {}): string {
  return `zone: example.com
ttl: ${options.ttl ?? 30}
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hostname: mx.example.com
    hosts:
      - { name: mx1.example.com, address: 192.0.2.10 }
      - { name: mx2.example.com, address: 192.0.2.11 }
  - name: outbound
    role: outbound
    hostname: smtp.example.com
    hosts:
      - { name: relay1.example.com, address: 192.0.2.20 }
      - { name: relay2.example.com, address: 192.0.2.21 }
auth:
  spf: { extra: ["ip4:198.51.100.0/24"] }
  dmarc: ${options.dmarc ?? '{ p: reject, rua: ["mailto:dmarc@example.com"] }'}
  dkim: [ { selector: s1, key: "v=DKIM1; k=rsa; p=${KEY}" } ]
records:
  - { name: _mta-sts.example.com, type: TXT, value: "v=STSv1; id=1" }
  - { name: _smtp._tls.example.com, type: TXT, value: "v=TLSRPTv1; rua=mailto:tls@example.com" }
  - { name: ns1.example.com, type: A, value: 127.0.5.1 }
nameserver:
  listen: ["${options.listen ?? '127.0.5.1:5353'}"]
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
`;
}
