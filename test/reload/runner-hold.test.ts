// A reload and the held SMTP sessions (probe.hold), against real sockets on 127.113.5.x: the session
// of a host the reload removes is closed with QUIT; `hold: false` closes every one; a host that
// stays keeps its one session (no reconnect).
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { probeOptionsFrom } from '../../src/probe/options.ts';
import { ProbeRunner } from '../../src/probe/runner.ts';
import { esmtp, scriptedServer, type ScriptedServer } from '../helpers/smtp/scripted-server.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(address: string): Promise<{ server: ScriptedServer; commands: string[] }> {
  const commands: string[] = [];
  const server = await scriptedServer(address, esmtp({ onCommand: (line) => (commands.push(line), false) }));
  cleanups.push(() => server.close());
  return { server, commands };
}

async function until(what: string, condition: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function config(servers: Array<{ name: string; server: ScriptedServer }>, hold: boolean) {
  const hosts = servers.map(({ name, server }) => `      - { name: ${name}, address: ${server.address}, port: ${server.port} }`).join('\n');
  return parseConfig(`zone: example.com\npools:\n  - name: in\n    role: inbound\n    mx: { name: example.com }\n    hosts:\n${hosts}\nprobe: { interval: 10s, timeout: 2s, jitter: 0, starttls: off, helo: probe.example.com, hold: ${hold} }\n`);
}

describe('held sessions across a reload', () => {
  it('closes the session of a removed host, keeps the others; hold: false closes all', async () => {
    const one = await serve('127.113.5.11');
    const two = await serve('127.113.5.12');
    const both = [{ name: 'mx1.example.com', server: one.server }, { name: 'mx2.example.com', server: two.server }];
    const runner = new ProbeRunner({ config: config(both, true), logger: silentLogger });
    cleanups.push(() => runner.stop());
    runner.start();
    // one probe (EHLO, QUIT) and then one held session each
    const held = (server: { server: ScriptedServer; commands: string[] }) => server.commands.filter((c) => c.startsWith('EHLO')).length === 2 && server.server.connections.size === 1;
    await until('a held session on each server', () => held(one) && held(two));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the sessions are idle after their EHLO
    const accepted = one.server.accepted;

    const onlyOne = config(both.slice(0, 1), true);
    runner.reconfigure(onlyOne, { probeOptions: probeOptionsFrom(onlyOne) });
    await until('mx2 session closed', () => two.server.connections.size === 0);
    expect(two.commands.at(-1)).toBe('QUIT');
    expect(one.server.connections.size).toBe(1);
    expect(one.server.accepted).toBe(accepted); // the host that stays kept its session

    const noHold = config(both.slice(0, 1), false);
    runner.reconfigure(noHold, { probeOptions: probeOptionsFrom(noHold) });
    await until('mx1 session closed', () => one.server.connections.size === 0);
    expect(one.commands.at(-1)).toBe('QUIT');
  });
});
