// Shared by the nameserver tests: a zone from the desired-records fixtures, a running DnsServer on
// this area's loopback range (127.0.2.x, ephemeral ports), and dig run as a real peer.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DnsServer } from '../../src/dns/server.ts';
import { desired, allHealthy } from '../../src/desired.ts';
import { silentLogger } from '../../src/log.ts';
import type { Config } from '../../src/config/schema.ts';
import type { DesiredZone } from '../../src/model.ts';
import { BASE_YAML, config } from '../desired/fixtures.ts';

export const run = promisify(execFile);

/** The fixture config plus a big TXT (truncation), glue for ns1 and a delegated child zone. */
export const DNS_YAML = `${BASE_YAML}  - { name: big.example.com, type: TXT, value: "${'x'.repeat(700)}" }
  - { name: big.example.com, type: TXT, value: "${'y'.repeat(700)}" }
  - { name: alias.example.com, type: CNAME, value: mx.example.com. }
  - { name: chain.example.com, type: CNAME, value: alias.example.com. }
  - { name: dangling.example.com, type: CNAME, value: nothere.example.com. }
  - { name: outside.example.com, type: CNAME, value: www.example.org. }
  - { name: sub.example.com, type: NS, value: ns.sub.example.com. }
  - { name: ns.sub.example.com, type: A, value: 192.0.2.99 }
  - { name: a.b.deep.example.com, type: A, value: 192.0.2.98 }
`;

export function dnsConfig(listen: string, extra: Partial<Config['nameserver']> = {}, yaml = DNS_YAML): Config {
  const base = config(yaml);
  const nameserver = { ...(base.nameserver as NonNullable<Config['nameserver']>), listen: [listen], ...extra };
  return { ...base, nameserver };
}

export function zoneOf(cfg: Config, serial = 2026113001): DesiredZone {
  return desired(cfg, allHealthy(cfg, 0), { serial, now: 0 });
}

export async function startServer(cfg: Config, options: { random?: () => number; notifyDelays?: number[] } = {}): Promise<{ server: DnsServer; host: string; port: number }> {
  const nameserver = cfg.nameserver as NonNullable<Config['nameserver']>;
  const server = new DnsServer({ nameserver, zone: cfg.zone, logger: silentLogger, ...options });
  await server.start();
  const [address] = server.listening().udp;
  const match = /^(.*):(\d+)$/.exec(address as string) as RegExpExecArray;
  return { server, host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/** dig with +tries=1 and a short timeout; returns stdout. */
export async function dig(host: string, port: number, args: string[]): Promise<string> {
  const { stdout } = await run('dig', [`@${host}`, '-p', String(port), '+tries=1', '+time=2', ...args], { timeout: 15_000 });
  return stdout;
}

/** The records of the ANSWER section of a +noall +answer dig output: [name, ttl, class, type, data] */
export function answerLines(output: string): string[][] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith(';'))
    .map((line) => line.split(/\s+/));
}

/** Sends one UDP datagram and waits for the reply (or undefined after `timeoutMs`). */
export async function udpExchange(host: string, port: number, packet: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(packet, port, host);
  });
}
