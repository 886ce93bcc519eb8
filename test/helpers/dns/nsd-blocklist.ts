// A DNS blocklist (RFC 5782) served by a real NSD (Debian's) on loopback, in the foreground, with
// its own config in a temp dir. `set()` rewrites the zone file and reloads it over nsd-control's
// Unix socket, then waits until NSD answers the new serial. RRL is off (DESIGN.md): a test asks
// fast and must never see answers vanish.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDir, tempDir } from '../temp-dir.ts';
import { track } from '../children.ts';
import { nsdServerBlock } from '../nsd-conf.ts';

export const NSD_BIN = ['/usr/sbin/nsd'].find((path) => existsSync(path));

export interface BlocklistEntry {
  /** the listed address, e.g. 127.17.3.11 or 2001:db8::1 */
  address: string;
  /** the A record(s) NSD answers, e.g. ["127.0.0.2"] (a listing) or ["127.255.255.254"] (an error code) */
  codes: string[];
  /** the TXT reason, when the list gives one */
  txt?: string;
}

export interface NsdBlocklist {
  zone: string;
  address: string;
  port: number;
  /** replaces every listing and waits until NSD serves them */
  set(entries: BlocklistEntry[]): Promise<void>;
  stop(): Promise<void>;
}

function reversed(address: string): string {
  if (address.includes(':')) {
    const url = new URL(`http://[${address}]/`).hostname.slice(1, -1);
    const groups = url.split('::');
    const head = groups[0] ? groups[0].split(':') : [];
    const tail = groups.length > 1 && groups[1] ? groups[1].split(':') : [];
    const full = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail].map((g) => g.padStart(4, '0')).join('');
    return [...full].reverse().join('.');
  }
  return address.split('.').reverse().join('.');
}

function zoneText(zone: string, serial: number, entries: BlocklistEntry[]): string {
  const lines = [
    `$ORIGIN ${zone}.`,
    '$TTL 0',
    `@ IN SOA ns.${zone}. hostmaster.${zone}. ${serial} 3600 600 86400 0`,
    `@ IN NS ns.${zone}.`,
    'ns IN A 127.0.0.1',
    // RFC 5782 5: the test entry every list carries
    '2.0.0.127 IN A 127.0.0.2',
    '2.0.0.127 IN TXT "test entry (RFC 5782)"',
  ];
  for (const entry of entries) {
    const name = reversed(entry.address);
    for (const code of entry.codes) lines.push(`${name} IN A ${code}`);
    if (entry.txt !== undefined) lines.push(`${name} IN TXT ${JSON.stringify(entry.txt)}`);
  }
  return `${lines.join('\n')}\n`;
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${bin} ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

async function servedSerial(address: string, port: number, zone: string): Promise<number> {
  try {
    const out = await run('dig', [`@${address}`, '-p', String(port), zone, 'SOA', '+short', '+time=1', '+tries=1']);
    return Number(out.trim().split(/\s+/)[2] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

export async function startNsdBlocklist(address: string, port: number, zone: string): Promise<NsdBlocklist> {
  const dir = tempDir('mxpool-nsd-bl-');
  const conf = join(dir, 'nsd.conf');
  const zoneFile = join(dir, `${zone}.zone`);
  const socket = join(dir, 'control.sock');
  let serial = 1;
  writeFileSync(zoneFile, zoneText(zone, serial, []));
  writeFileSync(conf, `${nsdServerBlock({ dir, addresses: [address], port, control: socket })}zone:
  name: ${zone}
  zonefile: "${zoneFile}"
`);
  const nsd: ChildProcess = track(spawn(NSD_BIN ?? 'nsd', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  nsd.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => nsd.once('exit', () => resolve()));
  // generous: NSD starts and reloads in milliseconds, but a loaded machine stretches that a lot
  const waitForSerial = async (wanted: number) => {
    const deadline = Date.now() + 30_000;
    while ((await servedSerial(address, port, zone)) !== wanted) {
      if (nsd.exitCode !== null) throw new Error(`nsd exited: ${stderr}\n${existsSync(join(dir, 'nsd.log')) ? readFileSync(join(dir, 'nsd.log'), 'utf8') : ''}`);
      if (Date.now() > deadline) throw new Error(`nsd did not serve serial ${wanted} within 30 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    if (nsd.exitCode === null && nsd.signalCode === null) {
      nsd.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (nsd.exitCode === null && nsd.signalCode === null) nsd.kill('SIGKILL');
    }
    removeTempDir(dir);
  };
  try {
    await waitForSerial(serial);
  } catch (error) {
    await stop(); // a start-up that failed leaves nothing running
    throw error;
  }
  return {
    zone,
    address,
    port,
    async set(entries) {
      serial += 1;
      writeFileSync(zoneFile, zoneText(zone, serial, entries));
      await run('nsd-control', ['-c', conf, 'reload', zone]);
      await waitForSerial(serial);
    },
    stop,
  };
}
