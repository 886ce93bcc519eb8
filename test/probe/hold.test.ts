// Held-connection liveness against real sockets. Loopback 127.0.1.50-59.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { HoldManager } from '../../src/probe/hold.ts';
import { ProbeRunner, type TransitionEvent } from '../../src/probe/runner.ts';
import type { ProbeResult } from '../../src/probe/types.ts';
import { esmtp, scriptedServer, type ScriptedServer } from '../helpers/smtp/scripted-server.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(address: string, options: Parameters<typeof esmtp>[0] = {}): Promise<{ server: ScriptedServer; commands: string[] }> {
  const commands: string[] = [];
  const server = await scriptedServer(address, esmtp({ ...options, onCommand: (line, c) => (commands.push(line), options.onCommand?.(line, c) ?? false) }));
  cleanups.push(() => server.close());
  return { server, commands };
}

async function until(condition: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function manager(onLost: (host: string, reason: string) => void, extra: { noopIntervalMs?: number; maxNoops?: number; reopenDelayMs?: number } = {}) {
  const holds = new HoldManager({ helo: 'probe.example.com', timeoutMs: 2000, logger: silentLogger, onLost, ...extra });
  cleanups.push(() => holds.closeAll());
  return holds;
}

describe('HoldManager', () => {
  it('keeps one idle session, sends NOOP on schedule, closes with QUIT', async () => {
    const { server, commands } = await serve('127.0.1.50');
    const holds = manager(() => expect.unreachable('not lost'), { noopIntervalMs: 100 });
    const target = { name: 'mx.example.test', address: server.address, port: server.port };
    holds.hold(target);
    holds.hold(target); // idempotent
    await until(() => commands.filter((c) => c === 'NOOP').length >= 3);
    expect(server.accepted).toBe(1);
    expect(commands[0]).toBe('EHLO probe.example.com');
    await holds.closeAll();
    await until(() => commands.at(-1) === 'QUIT');
    expect(holds.size).toBe(0);
  });

  it('a polite 421 close is reopened without an alarm', async () => {
    let connections = 0;
    const { server } = await serve('127.0.1.51', {
      onCommand: (line, c) => {
        if (line === 'NOOP' && connections++ === 0) {
          c.send('421 4.4.2 idle timeout, closing\r\n');
          c.close();
          return true;
        }
        return false;
      },
    });
    const lost: string[] = [];
    const holds = manager((host) => lost.push(host), { noopIntervalMs: 100, reopenDelayMs: 100 });
    holds.hold({ name: 'mx.example.test', address: server.address, port: server.port });
    await until(() => server.accepted >= 2 && server.connections.size === 1);
    expect(lost).toEqual([]);
  });

  it('recycles the session after maxNoops (junk-command limits), politely', async () => {
    const { server, commands } = await serve('127.0.1.52');
    const lost: string[] = [];
    const holds = manager((host) => lost.push(host), { noopIntervalMs: 20, maxNoops: 3, reopenDelayMs: 50 });
    holds.hold({ name: 'mx.example.test', address: server.address, port: server.port });
    await until(() => server.accepted >= 3);
    expect(commands.slice(0, 5)).toEqual(['EHLO probe.example.com', 'NOOP', 'NOOP', 'NOOP', 'QUIT']);
    expect(lost).toEqual([]);
  });

  it('a reset or a close without 421 is reported as lost', async () => {
    const { server } = await serve('127.0.1.53');
    const lost: Array<[string, string]> = [];
    const holds = manager((host, reason) => lost.push([host, reason]), { noopIntervalMs: 60_000 });
    holds.hold({ name: 'mx.example.test', address: server.address, port: server.port });
    await until(() => server.connections.size === 1);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the EHLO exchange finish
    await server.crash();
    await until(() => lost.length === 1);
    expect(lost[0]).toEqual(['mx.example.test', 'connection reset']);
    expect(holds.has('mx.example.test')).toBe(false);
  });

  it('a server that dies while the session is still opening is reported as lost too', async () => {
    const server = await scriptedServer('127.0.1.54', (c) => {
      c.send('220 mx.example.test ESMTP\r\n');
      setTimeout(() => c.close(), 30); // gone before answering EHLO, no 421
    });
    cleanups.push(() => server.close());
    const lost: Array<[string, string]> = [];
    const holds = manager((host, reason) => lost.push([host, reason]), { noopIntervalMs: 60_000 });
    holds.hold({ name: 'mx.example.test', address: server.address, port: server.port });
    await until(() => lost.length === 1);
    expect(lost[0]).toEqual(['mx.example.test', 'connection closed by the server without 421 (while opening the held session)']);
  });
});

describe('ProbeRunner with probe.hold', () => {
  it('a crashed SMTP server is probed at once and withdrawn long before the next interval', async () => {
    const { server } = await serve('127.0.1.55');
    const config = parseConfig(`zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: ${server.address}, port: ${server.port} }
probe: { interval: 10m, timeout: 2s, fall: 3, rise: 2, hold: true, starttls: off }
`);
    const runner = new ProbeRunner({ config, logger: silentLogger });
    cleanups.push(() => runner.stop());
    const probes: ProbeResult[] = [];
    const transitions: TransitionEvent[] = [];
    runner.on('probe', (_host, result) => probes.push(result));
    runner.on('transition', (event) => transitions.push(event));
    runner.start();
    await until(() => runner.snapshot().get('mx1.example.com')?.state === 'healthy' && server.connections.size === 1);
    expect(probes).toHaveLength(1);
    const crashedAt = Date.now();
    await server.crash();
    // the interval is 10 minutes: only the held session's loss and fast fall can do this
    await until(() => runner.snapshot().get('mx1.example.com')?.state === 'unhealthy', 10_000);
    const withdrawnIn = Date.now() - crashedAt;
    expect(probes.slice(1).map((p) => p.reason)).toEqual(['connection refused', 'connection refused', 'connection refused']);
    expect(transitions.at(-1)).toMatchObject({ host: 'mx1.example.com', from: 'healthy', to: 'unhealthy' });
    console.log(`withdrawn ${withdrawnIn} ms after the crash (fall 3)`);
  });
});
