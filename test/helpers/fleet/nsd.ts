// NSD (Debian's nsd) in the foreground serving many zones on loopback port 53, response rate
// limiting off (DESIGN.md: its default 200 answers/s would look like timeouts), a unix control
// socket for `nsd-control stats_noreset` (its query counter: how many queries a tool sent). And a
// black hole: a UDP socket on port 53 that reads every query and never answers.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZoneText } from './zones.ts';
import { removeTempDir, tempDir } from '../temp-dir.ts';
import { track } from '../children.ts';
import { nsdServerBlock } from '../nsd-conf.ts';

export interface Nsd {
  dir: string;
  /** queries NSD received so far (nsd-control stats_noreset: num.queries) */
  queries(): Promise<number>;
  log(): string;
  stop(): Promise<void>;
}

function run(file: string, args: string[], timeout = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

export async function startNsd(options: { addresses: string[]; zones: readonly ZoneText[]; port?: number }): Promise<Nsd> {
  const dir = tempDir('mxpool-fleet-nsd-');
  const port = options.port ?? 53;
  mkdirSync(join(dir, 'zones'));
  const zoneConf = options.zones.map((zone) => {
    writeFileSync(join(dir, 'zones', `${zone.name}.zone`), zone.text);
    return `zone:\n  name: "${zone.name}"\n  zonefile: "${join(dir, 'zones', `${zone.name}.zone`)}"\n`;
  });
  const conf = join(dir, 'nsd.conf');
  writeFileSync(
    conf,
    `${nsdServerBlock({ dir, addresses: options.addresses, port, control: `${dir}/nsd.ctl` })}${zoneConf.join('')}`,
  );
  const child: ChildProcess = track(spawn('nsd', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const log = () => {
    try {
      return `${output}${readFileSync(join(dir, 'nsd.log'), 'utf8')}`;
    } catch {
      return output;
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    removeTempDir(dir);
  };
  // ready when the first zone answers over UDP
  const probe = options.zones[0]?.name ?? 'test';
  const deadline = Date.now() + 20_000;
  const stats = () => run('nsd-control', ['-c', conf, 'stats_noreset']);
  for (;;) {
    const dig = await run('dig', [`@${options.addresses[0]}`, '-p', String(port), '+short', '+time=1', '+tries=1', probe, 'SOA']);
    // and the control socket is up (made by NSD's xfrd a little after the first answers)
    if (dig.code === 0 && dig.stdout.trim() !== '' && /^num\.queries=/m.test((await stats()).stdout)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`NSD did not start:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    dir,
    log,
    stop,
    async queries() {
      const result = await stats();
      const match = /^num\.queries=(\d+)$/m.exec(result.stdout);
      if (!match) throw new Error(`nsd-control stats_noreset: ${result.stdout}${result.stderr}`);
      return Number(match[1]);
    },
  };
}

/** A "nameserver" that never answers: binds address:port (UDP) and drops every query. */
export async function blackHole(address: string, port = 53): Promise<{ received: () => number; close: () => Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => void received++);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve());
  });
  return { received: () => received, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
