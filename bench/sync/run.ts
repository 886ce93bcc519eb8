// bench/sync: what a sync costs at each provider for a zone of 500 hosts (250 inbound MX hosts,
// 250 outbound relays behind one weighted name): API calls and seconds for the first sync, one
// health change (target: one write per provider) and a no-op reconcile (target: reads only).
// The real SDKs talk to the local fakes; run once with no added latency and once with 50 ms per
// call to stand in for a real API's round trip. Loopback only, bounded: 3 cycles x 2 runs.
import { Route53Fake } from '../../test/helpers/fakes/route53.ts';
import { CloudflareFake } from '../../test/helpers/fakes/cloudflare.ts';
import { desiredWith, zoneConfig } from '../../test/providers/harness.ts';
import { createProviders, createSyncer, type Provider } from '../../providers/index.ts';
import { silentLogger } from '../../src/log.ts';

process.env['AWS_ACCESS_KEY_ID'] ??= 'AKIDBENCH';
process.env['AWS_SECRET_ACCESS_KEY'] ??= 'bench-secret';
process.env['AWS_REGION'] ??= 'us-east-1';
process.env['AWS_EC2_METADATA_DISABLED'] = 'true';

const WRITES = new Set(['ChangeResourceRecordSets', 'batch']);

interface Row {
  latency: number;
  provider: string;
  step: string;
  reads: number;
  writes: number;
  changes: number;
  seconds: number;
}

async function runOnce(latencyMs: number): Promise<Row[]> {
  const route53 = await Route53Fake.start({ host: '127.0.4.250' });
  const cloudflare = await CloudflareFake.start({ host: '127.0.4.250', maxPerPage: 1000 });
  route53.latencyMs = latencyMs;
  cloudflare.latencyMs = latencyMs;
  // an existing zone: 100 records that are not mxpool's
  for (let i = 0; i < 100; i++) {
    route53.put({ name: `app${i}.example.com`, type: 'A', ttl: 300, values: [`203.0.113.${(i % 250) + 1}`] });
    cloudflare.add({ name: `app${i}.example.com`, type: 'A', content: `203.0.113.${(i % 250) + 1}`, ttl: 300 });
  }
  const config = zoneConfig({ inbound: 250, outbound: 250, route53: route53.endpoint, cloudflare: cloudflare.baseUrl });
  const counts = new Map<string, number>();
  const providers = createProviders(config, silentLogger, {
    env: { MXPOOL_TEST_CF_TOKEN: 'test-token' },
    counter: { count: (op) => counts.set(op, (counts.get(op) ?? 0) + 1) },
  });
  const rows: Row[] = [];
  const step = async (name: string, down: string[]) => {
    for (const provider of providers) {
      counts.clear();
      const syncer = createSyncer({ config, logger: silentLogger, providers: [provider as Provider] });
      const started = performance.now();
      const [result] = await syncer.syncOnce(desiredWith(config, down));
      const seconds = (performance.now() - started) / 1000;
      if (!result?.ok) throw new Error(`${provider.name} ${name}: ${result?.error}`);
      let reads = 0;
      let writes = 0;
      for (const [op, n] of counts) (WRITES.has(op) ? (writes += n) : (reads += n));
      rows.push({ latency: latencyMs, provider: provider.name, step: name, reads, writes, changes: result.plan?.changes.length ?? 0, seconds });
    }
  };
  await step('first sync', []);
  await step('one host down', ['relay7.example.com']);
  await step('no-op reconcile', ['relay7.example.com']);
  await route53.close();
  await cloudflare.close();
  return rows;
}

const rows = [...(await runOnce(0)), ...(await runOnce(50))];
const header = 'latency  provider    step              reads  writes  changes  seconds';
process.stdout.write(`500 hosts (250 MX + 250 weighted relays), 100 unrelated records in the zone\n${header}\n`);
for (const r of rows) {
  process.stdout.write(`${`${r.latency} ms`.padEnd(9)}${r.provider.padEnd(12)}${r.step.padEnd(18)}${String(r.reads).padStart(5)}${String(r.writes).padStart(8)}${String(r.changes).padStart(9)}${r.seconds.toFixed(3).padStart(9)}\n`);
}
