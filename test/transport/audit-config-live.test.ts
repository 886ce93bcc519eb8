// `mta-sts-id-stale` in a live audit: `audit --config F --live` fetches the live policy over HTTPS
// (trusting probe.caFile) and, since mxpool made both the policy and its id, compares the live
// `_mta-sts` id with the digest of the text served — the id a stale provider or a hand-edited zone
// leaves behind is an error. `audit --domain` (no config) does not judge it: RFC 8461 3.1 ties an id
// to nothing in the text. Real peers: NSD serving the zones on 127.18.10.53, mxpool's policy server
// (src/http/mta-sts.ts) over HTTPS with a test CA, the real CLI.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import { startNsd, type Nsd } from '../helpers/fleet/nsd.ts';
import { MtaStsServer } from '../../src/http/mta-sts.ts';
import { silentLogger } from '../../src/log.ts';
import { parseConfig } from '../../src/config/load.ts';
import { mtaStsPolicy } from '../../src/auth/mta-sts.ts';
import { run } from './helpers.ts';

const NSD_ADDRESS = '127.18.10.53';
const ZONES = { 'stale.test': '127.18.10.3', 'fresh.test': '127.18.10.4' } as const;
type Zone = keyof typeof ZONES;

let pki: TestPki;
let nsd: Nsd;
const servers: MtaStsServer[] = [];
const configFiles = {} as Record<Zone, string>;
const ids = {} as Record<Zone, { served: string; published: string }>;

function config(zone: Zone, hosts: string[]): Record<string, unknown> {
  const cert = pki.leaf(`mta-sts.${zone}`);
  return {
    zone,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: zone }, hosts: hosts.map((name, i) => ({ name: `${name}.${zone}`, address: `127.18.10.${11 + i}` })) }],
    probe: { caFile: pki.caFile, helo: 'probe.example.com' },
    auth: { mtaSts: { mode: 'enforce', maxAge: '1d', address: ZONES[zone], https: { listen: `${ZONES[zone]}:443`, certFile: cert.certFile, keyFile: cert.keyFile } }, tlsRpt: { rua: ['mailto:tlsrpt@example.com'] } },
  };
}

function zoneText(zone: Zone, id: string): string {
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 300',
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 3600 600 86400 300`,
    `@ IN NS ns1.${zone}.`,
    `ns1 IN A ${NSD_ADDRESS}`,
    `@ IN MX 10 mx1.${zone}.`,
    `@ IN MX 10 mx2.${zone}.`,
    'mx1 IN A 127.18.10.11',
    'mx2 IN A 127.18.10.12',
    `mta-sts IN A ${ZONES[zone]}`,
    `_mta-sts IN TXT "v=STSv1; id=${id}"`,
    '_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"',
    `@ IN TXT "v=spf1 -all"`,
    `_dmarc IN TXT "v=DMARC1; p=reject"`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  pki = makeTestPki();
  for (const zone of Object.keys(ZONES) as Zone[]) {
    // the config names mx1 and mx2 now; stale.test's zone still holds the id of the policy from
    // before mx2 was added (the provider that never synced it)
    const now = config(zone, ['mx1', 'mx2']);
    const policy = mtaStsPolicy(parseConfig(stringify(now), `${zone}.yaml`));
    const before = mtaStsPolicy(parseConfig(stringify(config(zone, ['mx1'])), `${zone}.yaml`));
    if (!policy || !before) throw new Error('no policy');
    ids[zone] = { served: policy.id, published: zone === 'stale.test' ? before.id : policy.id };
    configFiles[zone] = join(pki.dir, `${zone}.yaml`);
    writeFileSync(configFiles[zone], stringify(now));
    const https = (now.auth as { mtaSts: { https: { certFile: string; keyFile: string } } }).mtaSts.https;
    const server = new MtaStsServer({ listen: `${ZONES[zone]}:443`, certFile: https.certFile, keyFile: https.keyFile, host: `mta-sts.${zone}`, policy: () => policy.text, logger: silentLogger });
    await server.start();
    servers.push(server);
  }
  nsd = await startNsd({ addresses: [NSD_ADDRESS], zones: (Object.keys(ZONES) as Zone[]).map((zone) => ({ name: zone, text: zoneText(zone, ids[zone].published) })) });
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await nsd?.stop();
  pki?.cleanup();
});

interface Finding {
  id: string;
  message: string;
}
const stsFindings = (findings: Finding[]) => findings.filter((f) => /^(mta-sts|tls-rpt)-/.test(f.id));

describe('mta-sts-id-stale, live', { timeout: 90_000 }, () => {
  it('audit --config F --live: the live id against the digest of the policy served', async () => {
    const audit = (zone: Zone) => run(process.execPath, ['src/cli.ts', 'audit', '--config', configFiles[zone], '--live', '--nameserver', `${NSD_ADDRESS}:53`, '--format', 'json'], { timeout: 60_000 });
    const stale = await audit('stale.test');
    const staleReport = JSON.parse(stale.stdout) as { domains: { findings: Finding[] }[] };
    expect(stsFindings(staleReport.domains[0]?.findings ?? [])).toEqual([
      expect.objectContaining({ id: 'mta-sts-id-stale', message: `id ${ids['stale.test'].published}, but the policy served has id ${ids['stale.test'].served}` }),
    ]);
    expect(stale.code).toBe(1);
    const fresh = await audit('fresh.test');
    const freshReport = JSON.parse(fresh.stdout) as { domains: { findings: Finding[] }[] };
    // the policy was fetched (over HTTPS, trusting probe.caFile) and covers both MX hosts
    expect(stsFindings(freshReport.domains[0]?.findings ?? [])).toEqual([]);
  });

  it('audit --domain (no config): not judged — an id says nothing about the text it stands for', async () => {
    const result = await run(process.execPath, ['src/cli.ts', 'audit', '--domain', 'stale.test', '--nameserver', `${NSD_ADDRESS}:53`, '--format', 'json'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caFile }, timeout: 60_000 });
    const report = JSON.parse(result.stdout) as { findings: Finding[] };
    expect(stsFindings(report.findings)).toEqual([]);
  });
});
