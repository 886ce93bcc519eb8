// NSD serving the same zones as mxpool, from zone files written by `formatZone`, for the QPS
// comparison. Response rate limiting off (DESIGN.md: it would throttle a benchmark from one address).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredZone } from '../../src/model.ts';
import { formatZone } from '../../src/dns/masterfile.ts';
import { track } from '../../test/helpers/children.ts';
import { nsdServerBlock } from '../../test/helpers/nsd-conf.ts';

export function writeNsd(dir: string, listen: { address: string; port: number }, zones: readonly DesiredZone[]): string {
  const zonesDir = join(dir, 'zones');
  mkdirSync(zonesDir, { recursive: true });
  const entries: string[] = [];
  for (const zone of zones) {
    writeFileSync(join(zonesDir, `${zone.zone}.zone`), formatZone(zone));
    entries.push(`zone:\n  name: ${zone.zone}\n  zonefile: "${zonesDir}/${zone.zone}.zone"\n`);
  }
  const conf = join(dir, 'nsd.conf');
  writeFileSync(
    conf,
    `${nsdServerBlock({ dir, addresses: [listen.address], port: listen.port, zonesDir })}${entries.join('')}`,
  );
  return conf;
}

export function startNsd(conf: string, core: string): ChildProcess {
  const child = track(spawn('taskset', ['-c', core, 'nsd', '-d', '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] }));
  return child;
}
