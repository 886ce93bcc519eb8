// A realistic /api/state document (typed against src/http/types.ts) for testing the page without
// a daemon: two pools, four hosts in every state, a provider that failed, audit findings of each
// severity, and one host whose name and probe reason carry markup that must show as text.
import type { ApiHost, ApiProbePoint, ApiState } from '../../src/http/types.ts';

export const HOSTILE = '<img src=x onerror="window.__pwned=1">';

function history(now: number, count: number, failEvery = 0): ApiProbePoint[] {
  return Array.from({ length: count }, (_, i) => ({
    at: now - (count - i) * 5000,
    ok: failEvery === 0 || (i + 1) % failEvery !== 0,
    ms: 8 + ((i * 7) % 13),
  }));
}

function host(now: number, fields: Partial<ApiHost> & Pick<ApiHost, 'name' | 'pool' | 'address' | 'state'>): ApiHost {
  return {
    port: 25,
    weight: 1,
    since: now - 3_723_000,
    disabledInConfig: false,
    inDns: fields.state === 'healthy',
    inSpf: false,
    lastProbe: {
      ok: true, stage: 'quit', reason: null, ms: 12.4, at: now - 2000,
      tls: { protocol: 'TLSv1.3', validTo: now + 82 * 86_400_000, daysLeft: 82 },
    },
    history: history(now, 60),
    drain: null,
    streak: { ok: 5, fail: 0 },
    ...fields,
  };
}

export function cannedState(now: number): ApiState {
  const inbound = [
    host(now, { name: 'mx1.example.com', pool: 'inbound', address: '192.0.2.10', state: 'healthy', weight: 2 }),
    host(now, {
      name: 'mx2.example.com', pool: 'inbound', address: '192.0.2.11', state: 'unhealthy', since: now - 95_000,
      lastProbe: { ok: false, stage: 'greeting', reason: `greeting 421 ${HOSTILE}`, ms: 3001, at: now - 1000, tls: null },
      history: history(now, 40, 3), streak: { ok: 0, fail: 4 },
    }),
    host(now, {
      name: 'mx3.example.com', pool: 'inbound', address: '192.0.2.12', state: 'draining', since: now - 20_000,
      drain: { drainedAt: now - 20_000, safeToStopAt: now + 40_000 },
      lastProbe: { ok: true, stage: 'quit', reason: null, ms: 9, at: now - 3000, tls: { protocol: 'TLSv1.2', validTo: now + 5 * 86_400_000, daysLeft: 5 } },
    }),
  ];
  const outbound = [
    host(now, { name: 'relay1.example.com', pool: 'outbound', address: '192.0.2.20', port: 587, state: 'healthy', weight: 3, inSpf: true }),
    host(now, { name: 'relay2.example.com', pool: 'outbound', address: '192.0.2.21', port: 587, state: 'disabled', disabledInConfig: true, inSpf: false, lastProbe: null, history: [], streak: null }),
  ];
  const mxSet = { name: 'example.com', type: 'MX', ttl: 30, values: ['10 mx1.example.com.'], source: 'pool' as const, pool: 'inbound' };
  const relaySet = { name: 'smtp.example.com', type: 'A', ttl: 30, values: ['192.0.2.20'], source: 'pool' as const, pool: 'outbound' };
  return {
    version: 1,
    generatedAt: now,
    zone: 'example.com',
    ttl: 30,
    serial: 2026113001,
    spfGrace: [{ address: '192.0.2.22', host: 'relay3.example.com', until: now + 45_000 }],
    startedAt: now - 7_200_000,
    firstRoundDone: true,
    startedFrom: 'state-file',
    writeAuth: 'bearer',
    pools: [
      {
        name: 'inbound', role: 'inbound', hostname: null, mx: { name: 'example.com', preference: 10 }, whenAllDown: 'all', minHealthy: 1,
        healthyCount: 1, publishedHosts: ['mx1.example.com'], hosts: inbound,
        published: [mxSet, { name: 'mx1.example.com', type: 'A', ttl: 30, values: ['192.0.2.10'], source: 'host', pool: 'inbound' }],
      },
      {
        name: 'outbound', role: 'outbound', hostname: 'smtp.example.com', mx: null, whenAllDown: 'all', minHealthy: 1,
        healthyCount: 1, publishedHosts: ['relay1.example.com'], hosts: outbound, published: [relaySet],
      },
    ],
    records: [
      { name: 'example.com', type: 'SOA', ttl: 3600, values: ['ns1.example.com. hostmaster.example.com. 2026113001 3600 600 604800 60'], source: 'zone', pool: null },
      mxSet,
      relaySet,
      { name: 'example.com', type: 'TXT', ttl: 300, values: ['"v=spf1 ip4:192.0.2.20 ip4:198.51.100.0/24 -all"'], source: 'auth', pool: null },
      { name: 's1._domainkey.example.com', type: 'TXT', ttl: 300, values: [`"v=DKIM1; k=rsa; p=${'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'.repeat(8)}"`], source: 'auth', pool: null },
    ],
    notes: ['pool outbound: relay2.example.com is disabled in the config'],
    providers: [
      { name: 'route53', at: now - 30_000, ok: true, changes: 2, error: null },
      { name: 'cloudflare', at: now - 31_000, ok: false, changes: 0, error: 'HTTP 429 rate limited, retrying next run' },
    ],
    audit: {
      at: now - 60_000,
      summary: { errors: 1, warnings: 1, infos: 1 },
      findings: [
        { id: 'dmarc-policy-none', severity: 'warning', record: '_dmarc.example.com TXT', message: 'p=none only monitors', rfc: 'RFC 7489 6.3' },
        { id: 'spf-too-many-lookups', severity: 'error', record: 'example.com TXT', message: '11 DNS lookups, over the limit of 10', rfc: 'RFC 7208 4.6.4' },
        { id: 'mx-single-host', severity: 'info', record: 'example.com MX', message: `only one MX host published ${HOSTILE}`, rfc: 'RFC 5321 5.1' },
      ],
    },
    nameserver: { listen: ['127.0.0.1:5353'], queries: 1234 },
    config: {
      file: '/etc/mxpool/mxpool.yaml',
      loadedAt: now - 7_200_000,
      reloads: 1,
      reloadFailures: 1,
      lastReload: null,
      lastReloadError: {
        at: now - 20_000,
        trigger: 'SIGHUP',
        errors: [
          '/etc/mxpool/mxpool.yaml:12:16: pools.0.hosts.1.address: an IPv4 or IPv6 address (got the string "192.0.2.300")',
          `/etc/mxpool/mxpool.yaml:30:9: probe.helo: a DNS name ${HOSTILE}`,
        ],
      },
    },
    zones: [{ zone: 'example.com', kind: 'zone', serial: 2026113001, mx: ['mx1.example.com'], notes: [], providers: [] }],
    zoneCounts: { total: 1, tenants: 0, withoutMx: 0, withNotes: 0, syncFailing: 0 },
  };
}
