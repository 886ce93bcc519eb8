// The ISP's own config for a generated fleet (zones.ts): its pools (isp.test: MX hosts mx1/mx2,
// relays in 127.14.2.0/28, the DKIM key it signs with) and every customer as a `dns: external`
// tenant, one file each in tenantsFrom — what `audit --config F --live` checks the customers
// against. Used by test/audit/tenants-live.test.ts and bench/fleet.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Defect, Fleet } from './zones.ts';

/** What the tenant rules must say for each kind of customer (besides the generic rules, GENERIC_IDS). */
export const TENANT_IDS: Record<Defect, string[]> = {
  clean: [],
  'spf-none': ['tenant-spf-not-authorised'],
  'include-gone': [], // the ISP's include is still there: its addresses pass
  'eleven-lookups': [], // the ISP's include comes first: its addresses match before the limit (spf-too-many-lookups says the rest)
  'spf-no-isp': ['tenant-spf-not-authorised'],
  'mx-dangling': ['tenant-mx-elsewhere'],
  'mx-elsewhere': ['tenant-mx-elsewhere'],
  'dkim-missing': ['tenant-dkim-missing'],
  'dkim-revoked': ['tenant-dkim-mismatch'],
  'dkim-stale': ['tenant-dkim-mismatch'],
  'dmarc-missing': ['tenant-dmarc-missing'],
  'dmarc-none': [],
  dead: ['dns-temperror'],
  lame: ['dns-temperror'],
  servfail: ['dns-temperror'],
};

/** Writes `dir`/isp.yaml and `dir`/tenants.d/<domain>.yaml for `domains` (default: the whole fleet); returns the config's path. */
export function writeIspConfig(dir: string, fleet: Fleet, domains: readonly string[] = fleet.domains.map((d) => d.domain)): string {
  const file = join(dir, 'isp.yaml');
  writeFileSync(file, `zone: isp.test
pools:
  - name: inbound
    role: inbound
    mx: { name: isp.test, preference: 10 }
    hosts:
      - { name: mx1.isp.test, address: 127.14.1.10 }
      - { name: mx2.isp.test, address: 127.14.1.11 }
  - name: outbound
    role: outbound
    hostname: smtp.isp.test
    hosts:
      - { name: relay1.isp.test, address: 127.14.2.1 }
      - { name: relay2.isp.test, address: 127.14.2.2 }
      - { name: relay3.isp.test, address: 127.14.2.3, disabled: true }
auth:
  dkim: [ { selector: s1, key: "v=DKIM1; k=rsa; p=${fleet.keys.current}" } ]
tenantsFrom: tenants.d
`);
  // the customers keep their DNS elsewhere (NSD here): mxpool only audits them
  mkdirSync(join(dir, 'tenants.d'));
  for (const domain of domains) {
    writeFileSync(join(dir, 'tenants.d', `${domain}.yaml`), `zone: ${domain}
dns: external
mx: [{ pool: inbound }]
dkim: [{ selector: s1, key: "v=DKIM1; k=rsa; p=${fleet.keys.current}" }]
dmarc: { p: reject }
`);
  }
  return file;
}
