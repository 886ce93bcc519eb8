// End to end: `mxpool serve` restarted with a changed config, seen through `dig TXT example.com`.
// A relay removed from the config (or given a new address, or disabled) stays in SPF for 2 x TTL
// after the restart, then leaves without any health change; a config whose SPF would fail its
// checks keeps serving the SPF saved before the restart.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editConfig as editFile, startTestDaemon, waitFor, type ConfigYaml, type TestDaemon } from '../helpers/daemon.ts';
import type { ApiState } from '../../src/http/types.ts';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

async function spf(daemon: TestDaemon): Promise<string> {
  const lines = await daemon.dig('example.com', 'TXT');
  return lines.find((line) => line.includes('v=spf1')) ?? '';
}

async function allHealthy(daemon: TestDaemon): Promise<void> {
  await waitFor('every host healthy', async () => {
    const state = (await (await fetch(`${daemon.url}/api/state`)).json()) as ApiState;
    return state.pools.every((pool) => pool.hosts.every((host) => host.state === 'healthy'));
  });
}

/** Rewrites the daemon's config file (as an operator's edit between two runs would). */
function editConfig(daemon: TestDaemon, change: (config: ConfigYaml) => void): void {
  editFile(daemon.configFile, change);
}

const pool = (config: ConfigYaml, name: string) => config.pools.find((p) => p.name === name)!;
const savedState = (daemon: TestDaemon) => JSON.parse(readFileSync(join(daemon.stateDir, 'state.json'), 'utf8')) as { retired: Array<{ address: string; until: number }>; spf: unknown[] };

describe('serve: SPF grace across restarts, seen through dig', () => {
  it('a relay removed from the config stays in SPF for 2 x TTL after the restart (also over a second restart), then leaves', async () => {
    // ttl 5: grace 10 s. 127.0.7.11 and .13 are not neighbours, so SPF names them one by one
    d = await startTestDaemon({ addresses: ['127.0.7.11', '127.0.7.13'], outbound: [0, 1], dns: '127.0.7.10:5307', http: '127.0.7.10:8107', ttl: 5 });
    await allHealthy(d);
    expect(await spf(d)).toBe('"v=spf1 ip4:127.0.7.11 ip4:127.0.7.13 -all"');
    await d.stopDaemon();
    editConfig(d, (config) => {
      pool(config, 'relays').hosts = pool(config, 'relays').hosts.filter((h) => h.name !== 'relay2.example.com');
      pool(config, 'inbound').hosts = pool(config, 'inbound').hosts.filter((h) => h.name !== 'mx2.example.com');
    });

    await d.startDaemon();
    expect(await spf(d)).toBe('"v=spf1 ip4:127.0.7.11 ip4:127.0.7.13 -all"'); // at once: still authorised
    expect(d.logs()).toMatch(/address 127\.0\.7\.13 of removed host relay2\.example\.com stays in SPF until \d{4}-\d\d-\d\dT/);
    const retired = savedState(d).retired;
    expect(retired.map((r) => r.address)).toEqual(['127.0.7.13']);
    const api = (await (await fetch(`${d.url}/api/state`)).json()) as ApiState;
    expect(api.spfGrace).toEqual([{ address: '127.0.7.13', host: 'relay2.example.com', until: retired[0]!.until }]);

    // a second restart within the grace carries it over (not extended: the same `until`)
    await d.stopDaemon();
    await d.startDaemon();
    if (Date.now() < retired[0]!.until - 500) {
      expect(await spf(d)).toBe('"v=spf1 ip4:127.0.7.11 ip4:127.0.7.13 -all"');
      expect(d.logs()).toMatch(/address 127\.0\.7\.13 of removed host relay2\.example\.com stays in SPF until [^"]+ \(grace period from an earlier start\)/);
      expect(savedState(d).retired).toEqual(retired);
    }

    // no health change happens: the grace timer alone republishes
    await waitFor('127.0.7.13 out of SPF', async () => (await spf(d!)) === '"v=spf1 ip4:127.0.7.11 -all"', 30_000, 200);
    expect(Date.now()).toBeGreaterThanOrEqual(retired[0]!.until);
    await waitFor('state file without the retired address', () => savedState(d!).retired.length === 0, 10_000);
    expect(((await (await fetch(`${d.url}/api/state`)).json()) as ApiState).spfGrace).toEqual([]);
  }, 90_000);

  it('a relay given a new address keeps its old one in SPF for the grace period', async () => {
    d = await startTestDaemon({ addresses: ['127.0.7.21', '127.0.7.23', '127.0.7.25'], outbound: [0, 1], dns: '127.0.7.20:5307', http: '127.0.7.20:8107', ttl: 3 });
    await allHealthy(d);
    expect(await spf(d)).toBe('"v=spf1 ip4:127.0.7.21 ip4:127.0.7.23 -all"');
    await d.stopDaemon();
    const third = d.hosts[2]!;
    editConfig(d, (config) => {
      const relay2 = pool(config, 'relays').hosts.find((h) => h.name === 'relay2.example.com')!;
      relay2.address = third.address;
      relay2.port = third.port;
    });

    await d.startDaemon();
    expect(await spf(d)).toBe('"v=spf1 ip4:127.0.7.21 ip4:127.0.7.23 ip4:127.0.7.25 -all"');
    expect(d.logs()).toMatch(/address 127\.0\.7\.23 of host relay2\.example\.com \(now 127\.0\.7\.25\) stays in SPF until /);
    await waitFor('old address out of SPF', async () => (await spf(d!)) === '"v=spf1 ip4:127.0.7.21 ip4:127.0.7.25 -all"', 30_000, 200);
  }, 60_000);

  it('a relay disabled in the config across a restart keeps its grace too', async () => {
    d = await startTestDaemon({ addresses: ['127.0.7.31', '127.0.7.33'], outbound: [0, 1], dns: '127.0.7.30:5307', http: '127.0.7.30:8107', ttl: 3 });
    await allHealthy(d);
    expect(await spf(d)).toBe('"v=spf1 ip4:127.0.7.31 ip4:127.0.7.33 -all"');
    await d.stopDaemon();
    editConfig(d, (config) => {
      pool(config, 'relays').hosts.find((h) => h.name === 'relay2.example.com')!.disabled = true;
    });

    await d.startDaemon();
    expect(await spf(d)).toBe('"v=spf1 ip4:127.0.7.31 ip4:127.0.7.33 -all"');
    expect(await d.dig('smtp.example.com', 'A')).toEqual(['127.0.7.31']); // out of A at once
    await waitFor('disabled relay out of SPF', async () => (await spf(d!)) === '"v=spf1 ip4:127.0.7.31 -all"', 30_000, 200);
  }, 60_000);

  it('a restart with a config whose SPF fails its checks keeps serving the SPF saved before, and logs why', async () => {
    d = await startTestDaemon({ addresses: ['127.0.7.41', '127.0.7.43'], outbound: [0, 1], dns: '127.0.7.40:5307', http: '127.0.7.40:8107' });
    await allHealthy(d);
    const good = '"v=spf1 ip4:127.0.7.41 ip4:127.0.7.43 -all"';
    expect(await spf(d)).toBe(good);
    await d.stopDaemon();
    // eleven includes: eleven DNS lookups, over RFC 7208's limit of ten — receivers would permerror
    editConfig(d, (config) => {
      config.auth.spf = { all: '-all', include: Array.from({ length: 11 }, (_, i) => `spf${i}.mailer.example.net`) };
    });

    await d.startDaemon();
    expect(await spf(d)).toBe(good);
    expect(d.logs()).toMatch(/SPF not published \(the SPF published before stays\): SPF needs at least 11 DNS lookups, over the limit of 10/);
    // it stays the one the state file keeps, so a further restart still has it
    await d.stopDaemon();
    await d.startDaemon();
    expect(await spf(d)).toBe(good);
    expect(JSON.stringify(savedState(d).spf)).toContain('v=spf1 ip4:127.0.7.41 ip4:127.0.7.43 -all');
  }, 60_000);
});
