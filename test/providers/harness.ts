// Shared set-up for provider tests: a config pointing at the fakes, health snapshots with some
// hosts down, the desired zone from the real desired(), and providers with a recording sleep.
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { desired, allHealthy } from '../../src/desired.ts';
import type { DesiredZone, HostHealth } from '../../src/model.ts';
import { silentLogger } from '../../src/log.ts';
import { createProviders, createSyncer, type Provider, type Syncer } from '../../providers/index.ts';

export interface ZoneShape {
  inbound?: number;
  outbound?: number;
  whenAllDown?: 'all' | 'last-known-good' | 'none';
  route53?: string;
  cloudflare?: string;
  ttl?: number;
  /** this many auth.spf.include domains (11 or more: an SPF that fails its own lookup check) */
  spfIncludes?: number;
  /** static records, as YAML flow mappings (`{ name: ..., type: ..., value: ... }`) */
  records?: string[];
}

/** A config with `inbound` MX hosts (mxN.example.com) and `outbound` relays behind smtp.example.com. */
export function zoneConfig(shape: ZoneShape): Config {
  const inbound = Array.from({ length: shape.inbound ?? 3 }, (_, i) => `      - { name: mx${i + 1}.example.com, address: ${i < 250 ? `192.0.2.${i + 1}` : `2001:db8:1::${(i + 1).toString(16)}`} }`);
  const outbound = Array.from({ length: shape.outbound ?? 2 }, (_, i) => `      - { name: relay${i + 1}.example.com, address: 198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}, weight: ${(i % 3) + 1} }`);
  const providers = ['providers:', '  maxDeletePercent: 30'];
  if (shape.route53) providers.push(`  route53: { hostedZoneId: Z0FAKE, endpoint: "${shape.route53}" }`);
  if (shape.cloudflare) providers.push(`  cloudflare: { zoneId: cf0zone, tokenEnv: MXPOOL_TEST_CF_TOKEN, baseUrl: "${shape.cloudflare}" }`);
  const text = [
    'zone: example.com',
    `ttl: ${shape.ttl ?? 30}`,
    'pools:',
    '  - name: inbound',
    '    role: inbound',
    '    mx: { name: example.com, preference: 10 }',
    `    whenAllDown: ${shape.whenAllDown ?? 'all'}`,
    '    hosts:',
    ...inbound,
    '  - name: outbound',
    '    role: outbound',
    '    hostname: smtp.example.com',
    `    whenAllDown: ${shape.whenAllDown ?? 'all'}`,
    '    hosts:',
    ...outbound,
    'auth:',
    `  spf: { extra: ["ip4:203.0.113.0/24"], include: [${Array.from({ length: shape.spfIncludes ?? 0 }, (_, i) => `_spf.vendor${i + 1}.example.net`).join(', ')}] }`,
    '  dmarc: { p: quarantine, rua: ["mailto:dmarc@example.com"] }',
    ...providers,
    ...(shape.records ? ['records:', ...shape.records.map((record) => `  - ${record}`)] : []),
  ].join('\n');
  return parseConfig(text, 'test.yaml');
}

/** The desired zone with the named hosts unhealthy (everything else healthy). */
export function desiredWith(config: Config, down: string[] = [], serial = 1): DesiredZone {
  const health = new Map<string, HostHealth>(allHealthy(config, 0));
  for (const host of down) {
    const entry = health.get(host);
    if (!entry) throw new Error(`no host ${host}`);
    health.set(host, { ...entry, state: 'unhealthy', since: 1 });
  }
  return desired(config, health, { serial, now: 0 });
}

export interface Recorded {
  providers: Provider[];
  /** every wait the providers asked for, in ms */
  sleeps: number[];
  calls: Map<string, number>;
}

export function providersFor(config: Config, options: { pageSize?: number; random?: () => number } = {}): Recorded {
  const sleeps: number[] = [];
  const calls = new Map<string, number>();
  const providers = createProviders(config, silentLogger, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: options.random ?? (() => 0.5),
    counter: { count: (operation) => calls.set(operation, (calls.get(operation) ?? 0) + 1) },
    env: { MXPOOL_TEST_CF_TOKEN: 'test-token' },
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });
  return { providers, sleeps, calls };
}

/** A syncer over recorded providers whose cron never fires on its own. */
export function syncerFor(config: Config, recorded: Recorded): Syncer {
  return createSyncer({ config, logger: silentLogger, providers: recorded.providers, scheduler: { schedule: () => ({ stop() {} }) } });
}
