// `mxpool probe` progress: drawn on a terminal (stderr) while a round runs longer than 300 ms, cleared
// before the table; never in piped output. The real CLI under a pseudo-terminal from script(1)
// (util-linux/bsdutils) against real loopback SMTP listeners. Addresses 127.0.1.200-209.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esmtp, scriptedServer, type ScriptedServer } from '../helpers/smtp/scripted-server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.1.${200 + i}`);
const POOLS = 3; // an address appears once per pool: 3 pools x 10 listeners = 30 hosts
const HOSTS = ADDRESSES.length * POOLS;
/** Each server waits this long before its greeting; at concurrency 3 the round takes about 10 x 150 ms. */
const GREETING_DELAY_MS = 150;

let dir: string;
let servers: ScriptedServer[] = [];
let configFile: string;

beforeAll(async () => {
  dir = tempDir('mxpool-progress-');
  const slow = esmtp();
  servers = await Promise.all(ADDRESSES.map((address) => scriptedServer(address, async (c) => {
    await new Promise((resolve) => setTimeout(resolve, GREETING_DELAY_MS));
    await slow(c);
  })));
  const pools = Array.from({ length: POOLS }, (_, p) => `  - name: pool${p}
    role: outbound
    hosts:
${servers.map((s, i) => `      - { name: mx${p * ADDRESSES.length + i}.example.com, address: ${s.address}, port: ${s.port} }`).join('\n')}`);
  configFile = join(dir, 'mxpool.yaml');
  writeFileSync(configFile, `zone: example.com\npools:\n${pools.join('\n')}\nprobe:\n  interval: 60s\n  timeout: 5s\n  starttls: off\n  concurrency: 3\n  hold: false\n`);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000, env: { ...process.env, TERM: 'dumb' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The probe command as one shell line; `redirect` e.g. '> out.txt' sends stdout to a file. */
function probeLine(extra = '', redirect = ''): string {
  return `'${process.execPath}' src/cli.ts probe --config '${configFile}' --log-level silent ${extra} ${redirect}`.trim();
}

/** Runs a shell line with stdin, stdout and stderr on a pseudo-terminal; returns what the terminal showed. */
function onTerminal(line: string) {
  // -q no banner, -f flush as written, -e the command's exit code, -c the command; no typescript file
  return run('script', ['-qfec', line, '/dev/null']);
}

/** Every "probing: done/total hosts" drawn, in order. */
function progressCounts(screen: string): Array<[number, number]> {
  return [...screen.matchAll(/\rprobing: (\d+)\/(\d+) hosts/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('mxpool probe progress', () => {
  it('is drawn on a terminal while the round runs, counts up, and is erased before the table', async () => {
    const result = await onTerminal(probeLine());
    expect(result.code, result.stdout).toBe(0);
    const screen = result.stdout;
    const counts = progressCounts(screen);
    expect(counts.length, screen).toBeGreaterThanOrEqual(3);
    for (const [done, total] of counts) {
      expect(total).toBe(HOSTS);
      expect(done).toBeLessThanOrEqual(HOSTS);
    }
    const dones = counts.map(([done]) => done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(dones.some((done) => done > 0 && done < HOSTS), `a count mid-round: ${dones.join(',')}`).toBe(true);
    // the line is erased (carriage return + erase to end of line) after the last count, before the table
    const lastDrawn = screen.lastIndexOf('\rprobing: ');
    const erased = screen.indexOf('\r\x1b[K', lastDrawn);
    const table = screen.indexOf('HOST');
    expect(erased).toBeGreaterThan(lastDrawn);
    expect(table).toBeGreaterThan(erased);
    const rows = screen.slice(table).split(/\r?\n/).filter((l) => /^mx\d+\.example\.com\s+pool\d\s+ok\s+quit\b/.test(l));
    expect(rows).toHaveLength(HOSTS);
  });

  it('stdout redirected on a terminal: progress still on the terminal (stderr), the file holds only the table', async () => {
    const out = join(dir, 'table.txt');
    const result = await onTerminal(probeLine('', `> '${out}'`));
    expect(result.code, result.stdout).toBe(0);
    expect(progressCounts(result.stdout).length).toBeGreaterThanOrEqual(1);
    const table = readFileSync(out, 'utf8');
    expect(table).not.toMatch(/probing|\r|\x1b/);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HOST\s+POOL\s+RESULT/);
    expect(lines).toHaveLength(HOSTS + 1);
  });

  it('--json redirected on a terminal: the file is the JSON report alone', async () => {
    const out = join(dir, 'report.json');
    const result = await onTerminal(probeLine('--json', `> '${out}'`));
    expect(result.code, result.stdout).toBe(0);
    expect(progressCounts(result.stdout).length).toBeGreaterThanOrEqual(1);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { summary: { hosts: number; healthy: number } };
    expect(report.summary).toMatchObject({ hosts: HOSTS, healthy: HOSTS });
  });

  it('no terminal at all (pipes): no progress anywhere, stdout is the table', async () => {
    const result = await run(process.execPath, ['src/cli.ts', 'probe', '--config', configFile, '--log-level', 'silent']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/probing/);
    expect(result.stderr).not.toContain('\x1b');
    expect(result.stdout).not.toMatch(/probing|\r|\x1b/);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(HOSTS + 1);
  });
});
