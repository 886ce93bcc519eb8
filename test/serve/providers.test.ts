// `serve` hands every new zone to the configured providers: here the real Route 53 SDK against the
// local Route 53 fake. A killed host leaves the hosted zone too, and /api/state + /metrics say so.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.ts';
import type { ApiState } from '../../src/http/types.ts';

describe('serve with a Route 53 provider', () => {
  let fake: Route53Fake;
  let d: TestDaemon;

  const mxValues = () => fake.list().filter((s) => s.name === 'example.com.' && s.type === 'MX').flatMap((s) => s.values).sort();

  beforeAll(async () => {
    fake = await Route53Fake.start({ host: '127.0.3.40', zoneId: 'Z0FAKE', zoneName: 'example.com' });
    d = await startTestDaemon({
      addresses: ['127.0.3.41', '127.0.3.42'],
      dns: '127.0.3.40:5302',
      http: '127.0.3.40:8102',
      extra: { providers: { route53: { hostedZoneId: 'Z0FAKE', endpoint: fake.endpoint, schedule: '*/1 * * * *' } } },
    });
  });
  afterAll(async () => {
    await d?.close();
    await fake?.close();
  });

  it('pushes the healthy set, then withdraws a killed host', async () => {
    await waitFor('both MX hosts in Route 53', () => mxValues().length === 2);
    expect(mxValues()).toEqual(['10 mx1.example.com.', '10 mx2.example.com.']);
    await d.hosts[1]!.kill('SIGKILL');
    await waitFor('mx2 gone from Route 53', () => mxValues().length === 1, 20_000);
    expect(mxValues()).toEqual(['10 mx1.example.com.']);
    const state = (await (await fetch(`${d.url}/api/state`)).json()) as ApiState;
    expect(state.providers).toEqual([expect.objectContaining({ name: 'route53', ok: true, error: null })]);
    expect(state.providers[0]!.at).toBeGreaterThan(0);
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toMatch(/mxpool_syncs_total\{provider="route53",result="ok"\} [1-9]/);
  });
});
