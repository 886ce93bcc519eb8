// /healthz says "serving" only when the zone can be asked for: with the built-in nameserver, once
// its sockets answer. An orchestrator or load balancer that trusts /healthz must never route DNS to
// an instance whose nameserver is not listening yet (the zone is published before the sockets open).
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from '../../src/daemon.ts';
import { realServices } from '../../src/daemon/wiring.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { startSmtpHost, testConfig, waitFor, type SmtpHostProcess } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { dig } from '../dns/helpers.ts';

const HTTP = '127.15.19.10:8100';

describe('/healthz and the nameserver', () => {
  let host: SmtpHostProcess | undefined;
  let daemon: Daemon | undefined;
  afterAll(async () => {
    await daemon?.stop();
    await host?.kill();
  });

  it('503 "starting: nameserver" while the zone is published but the sockets are not open; 200 once they answer', async () => {
    host = await startSmtpHost('127.15.19.1', 'mx1.example.com');
    const dir = tempDir('mxpool-healthz-');
    const file = join(dir, 'mxpool.yaml');
    writeFileSync(file, stringify({ ...testConfig({ addresses: ['127.15.19.1'], dns: '127.15.19.10:5300', http: HTTP }, [host.port]), stateDir: join(dir, 'state') }));
    const config = loadConfig(file);
    const services = realServices(config, silentLogger);
    const makeNameserver = services.nameserver!;
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    services.nameserver = (zone) => {
      const nameserver = makeNameserver(zone);
      const start = nameserver.start;
      nameserver.start = async () => {
        await opened; // held: the zone is published, the sockets are not open yet
        await start();
      };
      return nameserver;
    };
    const started = startDaemon({ config, logger: silentLogger, services });
    const health = async () => {
      try {
        const response = await fetch(`http://${HTTP}/healthz`);
        return { code: response.status, status: ((await response.json()) as { status: string }).status };
      } catch {
        return { code: 0, status: 'not listening' };
      }
    };
    await waitFor('the first probe round done, the nameserver held', async () => (await health()).status === 'starting: nameserver', 20_000);
    expect(await health()).toEqual({ code: 503, status: 'starting: nameserver' });
    open();
    daemon = await started;
    expect(await health()).toEqual({ code: 200, status: 'serving' });
    expect((await dig('127.15.19.10', 5300, ['+short', 'example.com', 'MX'])).trim()).toBe('10 mx1.example.com.');
  });
});
