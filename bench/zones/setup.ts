// The zones benchmark's config: an ISP zone with a 4-host inbound pool and one relay, and N tenant
// zones in tenantsFrom, each with MX to the inbound pool, the default SPF (include of
// auth.spf.sharedName), DMARC, one DKIM key (2048-bit RSA size) and two static records.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Listener {
  address: string;
  port: number;
}

export const DKIM_KEY = `v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${'q'.repeat(330)}IDAQAB`;

export function tenantZone(index: number): string {
  return `customer${index}.example`;
}

export function writeBenchConfig(dir: string, options: { count: number; dns: string; http: string; inbound: Listener[]; outbound: Listener }): string {
  mkdirSync(join(dir, 'tenants.d'), { recursive: true });
  for (let i = 0; i < options.count; i++) {
    const zone = tenantZone(i);
    writeFileSync(
      join(dir, 'tenants.d', `${zone}.yaml`),
      `zone: ${zone}
mx: [{ pool: inbound, preference: 10 }]
dmarc: { p: reject, rua: ["mailto:dmarc@${zone}"] }
dkim: [{ selector: s1, key: "${DKIM_KEY}" }]
records:
  - { name: www.${zone}, type: A, value: 192.0.2.80 }
  - { name: autoconfig.${zone}, type: CNAME, value: autoconfig.isp.example. }
`,
    );
  }
  const host = (name: string, l: Listener) => `      - { name: ${name}, address: ${l.address}, port: ${l.port} }`;
  const file = join(dir, 'mxpool.yaml');
  writeFileSync(
    file,
    `zone: isp.example
ttl: 30
pools:
  - name: inbound
    role: inbound
    mx: { name: isp.example, preference: 10 }
    hosts:
${options.inbound.map((l, i) => host(`mx${i + 1}.isp.example`, l)).join('\n')}
  - name: outbound
    role: outbound
    hosts:
${host('relay1.isp.example', options.outbound)}
probe: { helo: probe.isp.example, starttls: off }
auth:
  spf: { sharedName: _spf.isp.example }
  dmarc: { p: reject }
nameserver:
  listen: ["${options.dns}"]
  ns: [ns1.isp.example]
  soa: { mname: ns1.isp.example, rname: hostmaster.isp.example }
records:
  - { name: ns1.isp.example, type: A, value: 192.0.2.53 }
stateDir: ${join(dir, 'state')}
http: { listen: "${options.http}" }
tenantsFrom: tenants.d
`,
  );
  return file;
}

/**
 * dnsperf input: `count` questions "name TYPE" over random zones (a fixed seed, so runs compare),
 * one of seven kinds each: MX and TXT at the apex, _dmarc TXT, the DKIM key, www A, autoconfig
 * CNAME, and a name that does not exist.
 */
export function randomQuestions(zones: readonly string[], count: number): string[] {
  const lines: string[] = [];
  let seed = 20261201;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    const zone = zones[Math.floor(random() * zones.length)] as string;
    const pick = Math.floor(random() * 7);
    lines.push([`${zone} MX`, `${zone} TXT`, `_dmarc.${zone} TXT`, `s1._domainkey.${zone} TXT`, `www.${zone} A`, `autoconfig.${zone} CNAME`, `nx${i % 1000}.${zone} A`][pick] as string);
  }
  return lines;
}
