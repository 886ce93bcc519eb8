// End to end: `mxpool serve` with tenant zones from `tenantsFrom`, reloading on SIGHUP while dnsperf
// queries the tenant zones. A good reload (one tenant changed, one removed, one added) changes only
// the changed and added zones' serials, stops serving the removed zone (REFUSED) and serves the new
// one; a broken tenant file changes nothing and is reported at FILE:LINE:COL of that file. dnsperf
// must see no lost and no SERVFAIL answer.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digSerial, startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import { dnsperf } from '../helpers/dnsperf.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { track } from '../helpers/children.ts';
import type { ApiState } from '../../src/http/types.ts';

const ZONES = ['t1.example', 't2.example', 't3.example'];
const QUERIES = ['t1.example MX', 't1.example SOA', '_dmarc.t1.example TXT', 't3.example MX', 't3.example SOA', '_dmarc.t3.example TXT', 'www.t3.example A', 'example.com MX'];

let d: TestDaemon;
let folder: string;

function tenant(zone: string, policy = 'none'): string {
  return `zone: ${zone}\nmx: [{ pool: inbound, preference: 10 }]\ndmarc: { p: ${policy} }\nrecords:\n  - { name: www.${zone}, type: A, value: 192.0.2.80 }\n`;
}

/** dig's status line: NOERROR, NXDOMAIN, REFUSED... */
function status(name: string, type = 'SOA'): Promise<string> {
  return new Promise((resolve, reject) => {
    track(execFile('dig', [`@${d.dnsServer}`, '-p', String(d.dnsPort), name, type, '+time=1', '+tries=2'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(error);
      resolve(/status: ([A-Z]+)/.exec(stdout)?.[1] ?? '?');
    }));
  });
}

async function state(): Promise<ApiState> {
  return (await fetch(`${d.url}/api/state`)).json() as Promise<ApiState>;
}

async function serials(): Promise<Record<string, number>> {
  const entries = await Promise.all(['example.com', ...ZONES, 't4.example'].map(async (zone) => [zone, await digSerial(d.dnsServer, d.dnsPort, zone)] as const));
  return Object.fromEntries(entries);
}

async function hangup(since: number): Promise<NonNullable<ApiState['config']['lastReload']>> {
  d.process!.kill('SIGHUP');
  await waitFor('the reload to finish', async () => ((await state()).config.lastReload?.at ?? 0) > since, 20_000);
  return (await state()).config.lastReload!;
}

describe('serve: reload of tenantsFrom under DNS load', () => {
  beforeAll(async () => {
    folder = tempDir('mxpool-tenants-');
    for (const zone of ZONES) writeFileSync(join(folder, `${zone}.yaml`), tenant(zone));
    d = await startTestDaemon({ addresses: ['127.113.7.11', '127.113.7.12'], dns: '127.113.7.10:5313', http: '127.113.7.10:8113', extra: { tenantsFrom: folder } });
    await waitFor('both hosts healthy', async () => (await state()).pools[0]!.healthyCount === 2);
  }, 30_000);
  afterAll(() => d?.close());

  it('a tenant changed, one removed, one added: only their zones change; a broken tenant file changes nothing; no lost or SERVFAIL query', async () => {
    const before = await serials();
    expect(Number.isNaN(before['t4.example'])).toBe(true); // not served yet
    expect(await status('t4.example')).toBe('REFUSED');
    expect((await d.dig('t1.example', 'MX')).sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);

    const load = dnsperf({ server: d.dnsServer, port: d.dnsPort, queries: QUERIES, seconds: 8, qps: 400 });
    await new Promise((r) => setTimeout(r, 1000));

    writeFileSync(join(folder, 't1.example.yaml'), tenant('t1.example', 'reject'));
    rmSync(join(folder, 't2.example.yaml'));
    writeFileSync(join(folder, 't4.example.yaml'), tenant('t4.example'));
    const applied = await hangup((await state()).config.lastReload?.at ?? 0);
    expect(applied.outcome).toBe('applied');
    expect(applied.changes).toEqual(['tenant zone t4.example added', 'tenant zone t2.example removed (no longer served: REFUSED)', 'tenant zone t1.example changed']);
    const after = await serials();
    expect(after['t1.example']).toBeGreaterThan(before['t1.example']!);
    expect(after['t3.example']).toBe(before['t3.example']); // unchanged tenant: same serial
    expect(after['example.com']).toBe(before['example.com']); // the operator's zone did not change
    expect(after['t4.example']).toBeGreaterThan(0);
    expect(applied.serial).toBe(applied.previousSerial);
    expect(await status('t2.example')).toBe('REFUSED');
    expect(await status('www.t2.example', 'A')).toBe('REFUSED');
    expect(await d.dig('_dmarc.t1.example', 'TXT')).toEqual(['"v=DMARC1; p=reject"']);
    expect((await d.dig('t4.example', 'MX')).sort()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);

    // a broken tenant file: refused, named at its own FILE:LINE:COL; the zones stay as they are
    const broken = join(folder, 't5.example.yaml');
    writeFileSync(broken, 'zone: t5.example\nmx: [{ pool: nowhere }]\n');
    const refused = await hangup(applied.at);
    expect(refused.outcome).toBe('refused');
    expect(refused.errors.some((line) => line.startsWith(`${broken}:2:`) && /pool/.test(line))).toBe(true);
    expect((await state()).config.lastReloadError?.errors).toEqual(refused.errors);
    expect(await status('t5.example')).toBe('REFUSED');
    expect(await serials()).toEqual(after);

    const result = await load;
    expect(result.sent).toBeGreaterThan(1000);
    expect(result.lost, result.output).toBe(0);
    expect(result.rcodes.SERVFAIL ?? 0, result.output).toBe(0);

    rmSync(broken);
    const fixed = await hangup(refused.at);
    expect(fixed).toMatchObject({ outcome: 'applied', changes: [] });
    // the state file keeps the served tenant zones and their serials (the removed one is forgotten)
    expect((await state()).config.lastReloadError).toBeNull();
    const saved = JSON.parse(readFileSync(join(d.stateDir, 'state.json'), 'utf8')) as { zones?: Record<string, { serial: number }> };
    expect(Object.keys(saved.zones ?? {}).sort()).toEqual(['t1.example', 't3.example', 't4.example']);
    expect(saved.zones?.['t1.example']?.serial).toBe(after['t1.example']);
  }, 60_000);
});
