// The security checks' schedule: every security.interval, and sooner after a check that could not
// finish (backing off to the interval). The real SecurityMonitor against a real smtp-server relay
// on 127.17.8.10 that is down at first and comes up later on the same port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { nextCheckIn, RETRY_MS, SecurityMonitor } from '../../src/security/monitor.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';
import { startZooServer, type ZooServer } from '../helpers/smtp/relay-zoo.ts';
import { waitFor } from '../helpers/daemon.ts';

describe('nextCheckIn', () => {
  it.each([
    ['a check that finished: the interval', 600_000, 0, 600_000],
    ['the first failure: one minute', 600_000, 1, 60_000],
    ['then doubling', 600_000, 3, 240_000],
    ['never later than the interval', 600_000, 5, 600_000],
    ['an interval shorter than the retry: the interval', 10_000, 1, 10_000],
    ['many failures in a row: still the interval (no overflow)', 600_000, 5000, 600_000],
  ])('%s', (_name, interval, failures, expected) => {
    expect(nextCheckIn(interval, failures)).toBe(expected);
  });

  it('the default first retry is a minute', () => {
    expect(RETRY_MS).toBe(60_000);
  });
});

describe('SecurityMonitor schedule against a relay that comes up late', () => {
  let pki: TestPki;
  let relay: ZooServer | undefined;
  let monitor: SecurityMonitor | undefined;

  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(async () => {
    await monitor?.stop();
    await relay?.close();
    pki?.cleanup();
  });

  it('a check that could not run is retried before the interval; the relay found open once it is up', { timeout: 60_000 }, async () => {
    // learn a free port on the address, then leave it closed: the first check is refused
    const probeFor = await startZooServer('open', '127.17.8.10', pki.leaf('late.example.com'));
    const port = probeFor.port;
    await probeFor.close();
    const config = parseConfig(`zone: example.com
pools:
  - name: relays
    role: outbound
    hosts:
      - { name: late.example.com, address: 127.17.8.10, port: ${port} }
    security: { openRelay: true, interval: 10m }
probe: { timeout: 10s, interval: 30s }
`);
    const reports: (string | null)[] = [];
    monitor = new SecurityMonitor({ config, logger: silentLogger, env: {}, ca: pki.ca, retryMs: 200, onReport: (report) => reports.push(report.error) });
    await monitor.start();
    expect(monitor.state('late.example.com')).toMatchObject({ findings: [], last: { error: expect.stringMatching(/refused/) } });
    relay = await startZooServer('open', '127.17.8.10', pki.leaf('late.example.com'), port);
    // with only the 10-minute interval this would never come within the test
    await waitFor('the open relay found by a retry', () => (monitor!.state('late.example.com')?.findings ?? []).some((f) => f.id === 'smtp-open-relay'), 30_000);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.at(-1)).toBeNull();
    expect(reports.slice(0, -1).every((error) => error !== null)).toBe(true);
    expect(relay.record.dataReceived).toBe(false);
  });
});
