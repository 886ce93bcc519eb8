// Runs Debian's `dnsperf` against a nameserver for a bounded time and reads its statistics: how
// many queries were sent, answered and lost, and the answers by response code (SERVFAIL included).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDir, tempDir } from './temp-dir.ts';
import { track } from './children.ts';

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  /** answers by RCODE name: { NOERROR: 1200, NXDOMAIN: 300 } */
  rcodes: Record<string, number>;
  qps: number;
  output: string;
}

export interface DnsperfOptions {
  server: string;
  port: number;
  /** "name TYPE" lines, sent round-robin */
  queries: string[];
  seconds: number;
  /** rate limit (a shared machine: enough to see a gap, not to saturate a core) */
  qps: number;
  /** seconds before an unanswered query counts as lost (dnsperf's default is 5) */
  timeout?: number;
}

export function dnsperf(options: DnsperfOptions): Promise<DnsperfResult> {
  const dir = tempDir('mxpool-dnsperf-');
  const file = join(dir, 'queries.txt');
  writeFileSync(file, `${options.queries.join('\n')}\n`);
  const args = ['-s', options.server, '-p', String(options.port), '-d', file, '-l', String(options.seconds), '-Q', String(options.qps), '-c', '2', '-q', '50', '-t', String(options.timeout ?? 5)];
  return new Promise((resolve, reject) => {
    const child = track(spawn('dnsperf', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // -l bounds the sending; the timeout bounds the wait for the last answers
    const guard = setTimeout(() => child.kill('SIGKILL'), (options.seconds + (options.timeout ?? 5) + 10) * 1000);
    child.once('error', (error) => {
      clearTimeout(guard);
      removeTempDir(dir);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(guard);
      removeTempDir(dir);
      if (code !== 0) return reject(new Error(`dnsperf exited with ${code}:\n${output}`));
      resolve(parseDnsperf(output));
    });
  });
}

export function parseDnsperf(output: string): DnsperfResult {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const rcodes: Record<string, number> = {};
  const line = /Response codes:\s+(.*)/.exec(output)?.[1] ?? '';
  for (const match of line.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[match[1] as string] = Number(match[2]);
  return {
    sent: number(/Queries sent:\s+(\d+)/),
    completed: number(/Queries completed:\s+(\d+)/),
    lost: number(/Queries lost:\s+(\d+)/),
    rcodes,
    qps: number(/Queries per second:\s+([\d.]+)/),
    output,
  };
}
