// `mxpool demo` (what `npm start` runs): three throw-away SMTP servers and `serve` over them, plus the
// dig commands to try. Type `stop 2` / `start 2` (Enter) to stop or restart host 2 and watch it leave
// and rejoin DNS. Runs until SIGINT. smtp-server is a devDependency, installed by `npm ci`.
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CommandContext } from '../cli.ts';
import { createLogger, type Logger } from '../log.ts';
import { UsageError } from '../errors.ts';
import { parseHostPort } from '../config/schema.ts';
import { isLoopbackHost } from '../http/auth.ts';
import { runUntilSignal } from './serve.ts';
import type { DemoSmtpHost } from '../demo/smtp.ts';
import { DEMO_DEFAULTS, demoConfig } from '../demo/config.ts';
import { demoInstructions } from '../demo/instructions.ts';

interface DemoOptions {
  smtpAddresses: string;
  smtpPort: string;
  dns: string;
  http: string;
  stateDir?: string;
  logLevel: string;
}

export function demoCommand(context: CommandContext): Command {
  return new Command('demo')
    .description('start three throw-away SMTP servers and serve DNS over them; prints dig commands to try')
    .option('--smtp-addresses <a,b,c>', 'the three SMTP host addresses (loopback)', DEMO_DEFAULTS.addresses.join(','))
    .option('--smtp-port <port>', 'their SMTP port (0: any free port)', String(DEMO_DEFAULTS.smtpPort))
    .option('--dns <address:port>', 'nameserver listen address', DEMO_DEFAULTS.dns)
    .option('--http <address:port>', 'HTTP listen address (status page, API, metrics)', DEMO_DEFAULTS.http)
    .option('--state-dir <dir>', 'state directory (default: a temporary one, removed at exit)')
    .action(async (options: DemoOptions) => {
      const logger = createLogger(options.logLevel);
      const addresses = options.smtpAddresses.split(',').map((a) => a.trim());
      const port = Number(options.smtpPort);
      if (addresses.length !== 3) throw new UsageError('--smtp-addresses takes exactly three addresses, e.g. 127.0.0.11,127.0.0.12,127.0.0.13');
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--smtp-port takes a port number 0..65535');
      for (const [flag, value] of [['--dns', options.dns], ['--http', options.http]] as const) {
        const where = parseHostPort(value);
        if (!where) throw new UsageError(`${flag} takes an address:port such as 127.0.0.1:5353, not "${value}"`);
        if (!isLoopbackHost(where.host)) throw new UsageError(`${flag} must be a loopback address (127.0.0.0/8 or ::1): the demo is for this machine only`);
      }
      // the demo hosts accept any mail and discard it: never offer that beyond this machine
      const remote = addresses.find((address) => !isLoopbackHost(address));
      if (remote !== undefined) throw new UsageError(`--smtp-addresses must be loopback addresses (127.0.0.0/8 or ::1), not ${remote}: the demo hosts accept and discard any mail`);
      // smtp-server is a devDependency: import it only when the demo runs, so an install without
      // devDependencies still runs every other command
      const [{ DemoSmtpHost }, { startDaemon }, { realServices }] = await Promise.all([import('../demo/smtp.ts'), import('../daemon.ts'), import('../daemon/wiring.ts')]);
      const temporary = options.stateDir === undefined;
      const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'mxpool-demo-'));
      const hosts = addresses.map((address, i) => new DemoSmtpHost({ address, port, name: `mx${i + 1}.example.com` }));
      try {
        const ports = await Promise.all(hosts.map((host) => host.start()));
        const config = demoConfig({ addresses, ports, dns: options.dns, http: options.http, stateDir });
        const daemon = await startDaemon({ config, logger, services: realServices(config, logger) });
        process.stdout.write(demoInstructions({ dns: options.dns, http: options.http, hosts: hosts.map((h, i) => ({ name: `mx${i + 1}.example.com`, address: h.options.address, port: ports[i] as number })) }));
        const console = listenForCommands(hosts, logger);
        context.exitCode = await runUntilSignal(daemon, logger, async () => {
          console.close();
          await Promise.all(hosts.map((host) => host.stop()));
        });
      } finally {
        await Promise.all(hosts.map((host) => host.stop()));
        if (temporary) rmSync(stateDir, { recursive: true, force: true });
      }
    });
}

/** `stop N` / `start N` on stdin stop or restart SMTP host N (1..3). */
function listenForCommands(hosts: DemoSmtpHost[], logger: Logger): { close(): void } {
  if (process.stdin.destroyed) return { close() {} };
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on('line', (line) => {
    const match = /^\s*(stop|start)\s+([1-3])\s*$/i.exec(line);
    if (!match) {
      if (line.trim()) process.stdout.write('commands: stop N | start N   (N = 1, 2 or 3); Ctrl-C ends the demo\n');
      return;
    }
    const host = hosts[Number(match[2]) - 1] as DemoSmtpHost;
    const action = (match[1] as string).toLowerCase();
    const done = action === 'stop' ? host.stop() : host.start();
    done.then(
      () => process.stdout.write(`mx${match[2]} (${host.options.address}:${host.port}) ${action === 'stop' ? 'stopped: watch it leave DNS' : 'started: it returns after rise x interval'}\n`),
      (error: unknown) => logger.error({ err: String(error) }, `could not ${action} host ${match[2]}`),
    );
  });
  return { close: () => lines.close() };
}
