// Transport-security records at the cloud providers, through the real SDKs against the local fakes
// (which enforce TLSA's form: Route 53 a "3 1 1 <hex>" value, Cloudflare the record's data): TLSA,
// _mta-sts, mta-sts A and _smtp._tls are created, follow a key rotation, and a target that cannot
// hold a type gets a plan warning instead of a failed write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { allHealthy, desired } from '../../src/desired.ts';
import { adaptToTarget } from '../../src/plan/index.ts';
import { mtaStsPolicy } from '../../src/auth/mta-sts.ts';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { CloudflareFake } from '../helpers/fakes/cloudflare.ts';
import { providersFor, syncerFor } from '../providers/harness.ts';
import { ROUTE53_CAPABILITIES } from '../../providers/route53/provider.ts';

const OLD = 'a1'.repeat(32);
const NEW = 'b2'.repeat(32);

let route53: Route53Fake;
let cloudflare: CloudflareFake;

beforeAll(async () => {
  route53 = await Route53Fake.start({ host: '127.18.5.1' });
  cloudflare = await CloudflareFake.start({ host: '127.18.5.2' });
});
afterAll(async () => {
  await route53?.close();
  await cloudflare?.close();
});

function config(next: string[]): Config {
  return parseConfig(`zone: example.com
ttl: 60
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.1 }
auth:
  mtaSts: { address: 192.0.2.80, https: { certFile: a.pem, keyFile: a.key } }
  tlsRpt: { rua: ["mailto:tlsrpt@example.com"] }
  dane: { next: { mx1.example.com: [${next.map((h) => `"${h}"`).join(', ')}] } }
providers:
  route53: { hostedZoneId: Z0FAKE, endpoint: "${route53.endpoint}" }
  cloudflare: { zoneId: cf0zone, tokenEnv: MXPOOL_TEST_CF_TOKEN, baseUrl: "${cloudflare.baseUrl}" }
`, 'providers.yaml');
}

async function sync(cfg: Config) {
  const syncer = syncerFor(cfg, providersFor(cfg));
  const results = await syncer.syncOnce(desired(cfg, allHealthy(cfg, 0), { serial: 1, now: 0 }));
  for (const result of results) expect(result.ok, JSON.stringify(result)).toBe(true);
  return results;
}

const r53 = (name: string, type: string) => route53.get(name, type)?.values.slice().sort() ?? [];
const cf = (name: string, type: string) => cloudflare.find(name, type).map((r) => r.content).sort();

describe('TLSA, MTA-STS and TLS-RPT at Route 53 and Cloudflare', () => {
  it('creates them, then follows a key rotation, and a second sync writes nothing', async () => {
    const first = config([OLD]);
    await sync(first);
    const id = mtaStsPolicy(first)?.id;
    expect(r53('_25._tcp.mx1.example.com', 'TLSA')).toEqual([`3 1 1 ${OLD}`]);
    expect(cf('_25._tcp.mx1.example.com', 'TLSA')).toEqual([`3 1 1 ${OLD}`]);
    expect(cloudflare.find('_25._tcp.mx1.example.com', 'TLSA')[0]?.data).toEqual({ usage: 3, selector: 1, matching_type: 1, certificate: OLD });
    expect(r53('_mta-sts.example.com', 'TXT')).toEqual([`"v=STSv1; id=${id}"`]);
    expect(cf('_mta-sts.example.com', 'TXT')).toEqual([`"v=STSv1; id=${id}"`]);
    expect(r53('mta-sts.example.com', 'A')).toEqual(['192.0.2.80']);
    expect(cf('_smtp._tls.example.com', 'TXT')).toEqual(['"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"']);

    await sync(config([OLD, NEW]));
    expect(r53('_25._tcp.mx1.example.com', 'TLSA')).toEqual([`3 1 1 ${OLD}`, `3 1 1 ${NEW}`]);
    expect(cf('_25._tcp.mx1.example.com', 'TLSA')).toEqual([`3 1 1 ${OLD}`, `3 1 1 ${NEW}`]);

    route53.resetCounts();
    cloudflare.resetCounts();
    const again = await sync(config([OLD, NEW]));
    expect(again.every((result) => result.plan?.changes.length === 0 && result.writes === 0)).toBe(true);
    expect(cloudflare.count('batch')).toBe(0);
  });

  it('a target that cannot hold TLSA: the plan says so and leaves it out', () => {
    const cfg = config([OLD]);
    const zone = desired(cfg, allHealthy(cfg, 0), { serial: 1, now: 0 });
    const withoutTlsa = { ...ROUTE53_CAPABILITIES, recordTypes: new Set(['A', 'AAAA', 'MX', 'TXT']) };
    const adapted = adaptToTarget('olddns', zone.sets, withoutTlsa);
    expect(adapted.sets.some((set) => set.type === 'TLSA')).toBe(false);
    expect(adapted.warnings).toContain('olddns cannot hold these record types: not synced (_25._tcp.mx1.example.com/TLSA)');
    expect(adaptToTarget('route53', zone.sets, ROUTE53_CAPABILITIES).sets.some((set) => set.type === 'TLSA')).toBe(true);
  });
});
