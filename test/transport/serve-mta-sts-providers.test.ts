// The MTA-STS safety hold where the zone is also published by providers: a new MX name waits until
// every place — the built-in nameserver and each provider (the real AWS and Cloudflare SDKs against
// the local fakes) — carries the new `_mta-sts` id, then one TTL. A provider whose syncs fail keeps
// the name out of MX everywhere, says so in the log and /api/state, and its recovery starts the TTL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { CloudflareFake } from '../helpers/fakes/cloudflare.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import type { ApiState } from '../../src/http/types.ts';
import { dig, run, serveProcess, startTlsSmtpHost, until, watch, type ServeProcess, type TlsSmtpHost } from './helpers.ts';

const HOSTS = ['127.18.7.11', '127.18.7.12', '127.18.7.13'];
const TTL = 6;

let pki: TestPki;
let cert: { certFile: string; keyFile: string };
let smtp: TlsSmtpHost[] = [];
let route53: Route53Fake;
let cloudflare: CloudflareFake;
const serves: ServeProcess[] = [];

function config(ns: string, hostCount: number, providers: Record<string, unknown>): Record<string, unknown> {
  return {
    zone: 'example.com',
    ttl: TTL,
    pools: [{ name: 'inbound', role: 'inbound', mx: { name: 'example.com', preference: 10 }, hosts: HOSTS.slice(0, hostCount).map((address, i) => ({ name: `mx${i + 1}.example.com`, address, port: 25 })) }],
    // slow, forgiving probes: mx1/mx2 must never flap (with no other host the never-empty rule would publish mx3 at once)
    probe: { interval: '3s', timeout: '2500ms', rise: 1, fall: 5, jitter: 0, helo: 'probe.example.com', starttls: 'optional', hold: false, caFile: pki.caFile },
    auth: { mtaSts: { mode: 'enforce', maxAge: '1d', address: '192.0.2.80', https: { listen: `${ns}:443`, certFile: cert.certFile, keyFile: cert.keyFile } } },
    nameserver: { listen: [`${ns}:53`], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
    records: [{ name: 'ns1.example.com', type: 'A', value: ns }],
    http: { listen: `${ns}:8053` },
    // every second: a provider that recovers is synced again at once
    providers,
  };
}

const state = async (ns: string) => (await (await fetch(`http://${ns}:8053/api/state`)).json()) as ApiState;
const mxAt = (ns: string) => dig(ns, 53, 'example.com', 'MX').then((lines) => lines.map((l) => l.split(' ')[1]).sort());
/** the id in `v=STSv1; id=...` */
const idOf = (text: string | undefined) => /id=(\w+)/.exec(text ?? '')?.[1];
const stsIdAt = async (ns: string) => idOf((await dig(ns, 53, '_mta-sts.example.com', 'TXT'))[0]);
const reload = async (serve: ServeProcess) => {
  const result = await run(process.execPath, ['src/cli.ts', 'reload', '--config', serve.configFile], { timeout: 60_000 });
  expect(result.code, result.stderr).toBe(0);
};
/** The deadline the daemon logged for `host` ("MTA-STS: <host> enters MX at <ISO>,"), the last one. */
function entersAt(logs: string, host: string): number {
  const matches = [...logs.matchAll(new RegExp(`MTA-STS: ${host.replaceAll('.', '\\.')} enters MX at (\\S+),`, 'g'))];
  expect(matches.length, `no deadline logged for ${host}:\n${logs.slice(-4000)}`).toBeGreaterThan(0);
  return Date.parse((matches.at(-1) as RegExpMatchArray)[1] as string);
}
/** Waits until nothing is held (the first policy has reached every place and one TTL passed). */
const settled = (ns: string) => until('nothing held back', 40_000, async () => ((await state(ns)).transport?.heldMx.length === 0 ? true : undefined));

beforeAll(async () => {
  pki = makeTestPki();
  cert = pki.leaf('mta-sts.example.com');
  smtp = await Promise.all(HOSTS.map((address, i) => startTlsSmtpHost(address, 25, pki.leaf(`mx${i + 1}.example.com`))));
  route53 = await Route53Fake.start({ host: '127.18.7.40', zoneId: 'Z0FAKE', zoneName: 'example.com' });
  cloudflare = await CloudflareFake.start({ host: '127.18.7.41' });
}, 60_000);

afterAll(async () => {
  for (const serve of serves) await serve.cleanup();
  await Promise.all(smtp.map((host) => host.close()));
  await route53?.close();
  await cloudflare?.close();
  pki?.cleanup();
});

describe('MTA-STS hold across the places that publish the zone', () => {
  it('Route 53 failing: the new name stays out of MX everywhere, with no deadline; its recovery starts the TTL', async () => {
    const ns = '127.18.7.1';
    const providers = { route53: { hostedZoneId: 'Z0FAKE', endpoint: route53.endpoint, schedule: '* * * * * *' } };
    const serve = serveProcess(config(ns, 2, providers), `http://${ns}:8053/healthz`);
    serves.push(serve);
    await serve.start();
    await settled(ns);
    const r53Id = () => idOf(route53.get('_mta-sts.example.com', 'TXT')?.values[0]);
    const r53Mx = () => (route53.get('example.com', 'MX')?.values ?? []).slice().sort();
    const oldId = await stsIdAt(ns);
    expect(r53Id()).toBe(oldId);

    // Route 53 refuses every call (revoked credentials) while a host is added
    route53.outage({ status: 403, code: 'AccessDenied', message: 'User is not authorized to perform route53:ChangeResourceRecordSets' });
    serve.write(config(ns, 3, providers));
    const reloadedAt = Date.now();
    await reload(serve);
    expect(await stsIdAt(ns)).not.toBe(oldId); // the nameserver carries the new id at once
    const held = await until('mx3 waiting for route53 in /api/state', 20_000, async () => {
      const transport = (await state(ns)).transport;
      const mx3 = transport?.heldMx.find((h) => h.host === 'mx3.example.com');
      const place = transport?.stsPlaces.find((p) => p.place === 'route53');
      return mx3 && place?.error ? { mx3, place, nameserver: transport?.stsPlaces.find((p) => p.place === 'nameserver') } : undefined;
    });
    expect(held.mx3).toEqual({ host: 'mx3.example.com', until: null, waitingFor: ['route53'] });
    expect(held.place).toMatchObject({ id: oldId, error: expect.stringMatching(/not authorized/) });
    expect(held.nameserver?.id).not.toBe(oldId);
    await until('the warning in the log', 20_000, async () => (/MTA-STS: mx3\.example\.com stays out of MX everywhere until route53 carries the policy's _mta-sts id/.test(serve.logs()) ? true : undefined));
    // well past one TTL of the nameserver's new id: still not in MX, at the nameserver or at Route 53
    await new Promise((r) => setTimeout(r, Math.max(0, reloadedAt + (TTL + 3) * 1000 - Date.now())));
    expect(await mxAt(ns)).toEqual(['mx1.example.com.', 'mx2.example.com.']);
    expect(r53Mx()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    expect(r53Id()).toBe(oldId);

    // Route 53 answers again: its next sync carries the new id, and mx3 enters one TTL after that
    route53.outage(undefined);
    const recoveredAt = Date.now();
    await until('Route 53 carries the new id', 20_000, async () => (r53Id() !== oldId ? true : undefined));
    const answers = await watch('mx3 in MX at the nameserver', 40_000, async () => (await mxAt(ns)).includes('mx3.example.com.'));
    const deadline = entersAt(serve.logs(), 'mx3.example.com');
    expect(deadline).toBeGreaterThanOrEqual(recoveredAt + TTL * 1000);
    expect(answers.filter((a) => a.value).map((a) => a.at >= deadline)).toEqual([true]);
    const place = (await state(ns)).transport?.stsPlaces.find((p) => p.place === 'route53');
    expect(place).toMatchObject({ id: r53Id(), error: null });
    expect(deadline).toBe((place?.since as number) + TTL * 1000);
    await until('mx3 in Route 53 MX', 20_000, async () => (r53Mx().includes('10 mx3.example.com.') ? true : undefined));
    await serve.stop();
  }, 120_000);

  it('Cloudflare down across a restart: the saved places keep old names in MX, the new one waits for its sync, then 60 s (its TTL floor)', async () => {
    const ns = '127.18.7.2';
    const providers = { cloudflare: { zoneId: 'cf0zone', tokenEnv: 'MXPOOL_TEST_CF_TOKEN', baseUrl: cloudflare.baseUrl, schedule: '* * * * * *' } };
    const env = { MXPOOL_TEST_CF_TOKEN: 'test-token' };
    const serve = serveProcess(config(ns, 2, providers), `http://${ns}:8053/healthz`, env);
    serves.push(serve);
    await serve.start();
    const cfId = () => idOf(cloudflare.find('_mta-sts.example.com', 'TXT')[0]?.content);
    const oldId = await until('Cloudflare carries the id', 20_000, async () => cfId());
    await serve.stop();
    // the first policy has been everywhere for long (the state file says since when): only the
    // name the restart adds may be held
    const file = join(serve.stateDir, 'state.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { transport: { stsNames: Record<string, number>; stsPlaces: Record<string, { id: string; since: number; names: Record<string, number> }> } };
    expect(Object.keys(saved.transport.stsPlaces).sort()).toEqual(['cloudflare', 'nameserver']);
    expect(saved.transport.stsPlaces['cloudflare']).toMatchObject({ id: oldId, names: { 'mx1.example.com': expect.any(Number), 'mx2.example.com': expect.any(Number) } });
    const longAgo = Date.now() - 3600_000;
    for (const name of Object.keys(saved.transport.stsNames)) saved.transport.stsNames[name] = longAgo;
    for (const place of Object.values(saved.transport.stsPlaces)) for (const name of Object.keys(place.names)) place.names[name] = longAgo;
    writeFileSync(file, JSON.stringify(saved));

    cloudflare.outage({ status: 403, message: 'Authentication error' });
    serve.write(config(ns, 3, providers));
    await serve.start();
    const held = await until('mx3 waiting for cloudflare', 20_000, async () => {
      const transport = (await state(ns)).transport;
      const place = transport?.stsPlaces.find((p) => p.place === 'cloudflare');
      return place?.error ? transport : undefined;
    });
    expect(held.heldMx).toEqual([{ host: 'mx3.example.com', until: null, waitingFor: ['cloudflare'] }]);
    await until('mx3 healthy', 20_000, async () => ((await state(ns)).pools.flatMap((p) => p.hosts).find((h) => h.name === 'mx3.example.com')?.state === 'healthy' ? true : undefined));
    expect(await mxAt(ns)).toEqual(['mx1.example.com.', 'mx2.example.com.']);
    expect(cfId()).toBe(oldId);

    cloudflare.outage(undefined);
    const recoveredAt = Date.now();
    await until('Cloudflare carries the new id', 20_000, async () => (cfId() !== oldId ? true : undefined));
    const hold = await until('a deadline for mx3', 20_000, async () => {
      const transport = (await state(ns)).transport;
      const mx3 = transport?.heldMx.find((h) => h.host === 'mx3.example.com');
      return typeof mx3?.until === 'number' ? { until: mx3.until, place: transport?.stsPlaces.find((p) => p.place === 'cloudflare') } : undefined;
    });
    // Cloudflare publishes nothing under 60 s: the TTL the hold waits is 60 s, from its sync
    expect(hold.place).toMatchObject({ id: cfId(), error: null });
    expect(hold.until).toBe((hold.place?.since as number) + 60_000);
    expect(hold.until).toBeGreaterThanOrEqual(recoveredAt + 60_000);
    await until('the deadline in the log', 20_000, async () => (serve.logs().includes(`MTA-STS: mx3.example.com enters MX at ${new Date(hold.until).toISOString()},`) ? true : undefined));
    expect(await mxAt(ns)).toEqual(['mx1.example.com.', 'mx2.example.com.']);
    expect(cloudflare.find('example.com', 'MX').map((r) => r.content).sort()).toEqual(['mx1.example.com', 'mx2.example.com']);
    await serve.stop();
  }, 120_000);
});
