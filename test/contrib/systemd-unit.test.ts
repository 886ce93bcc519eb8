// contrib/mxpool.service as systemd reads it: `systemd-analyze verify` (no unknown key, no value it
// cannot parse — those are only warnings there, so stderr must be empty too; the ExecStart binary
// must exist: the unit's /opt/mxpool paths point at this checkout's) and the offline security
// review (`systemd-analyze security --offline`, exposure at most 2.0). Works where systemd is not
// PID 1 (containers, CI). Debian's `systemd` package has systemd-analyze; .ci/run installs it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/temp-dir.ts';

const UNIT = readFileSync('contrib/mxpool.service', 'utf8');
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path));

/** The unit with /opt/mxpool replaced by this checkout, so the ExecStart binary exists. */
function unitHere(): string {
  const dir = tempDir('mxpool-unit-');
  const file = join(dir, 'mxpool.service');
  writeFileSync(file, UNIT.replaceAll('/opt/mxpool/', `${resolve('.')}/`));
  return file;
}

function analyze(args: string[]) {
  if (!ANALYZE) throw new Error('systemd-analyze not found: apt-get install systemd (.ci/run installs it)');
  return spawnSync(ANALYZE, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: 'cat' } });
}

const directive = (key: string) => UNIT.split('\n').filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));

describe('contrib/mxpool.service', () => {
  it('passes systemd-analyze verify without a warning', () => {
    const result = analyze(['verify', '--man=no', unitHere()]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('verify does catch a broken unit (the check can fail)', () => {
    const file = join(tempDir('mxpool-unit-'), 'broken.service');
    writeFileSync(file, UNIT.replace(/^ProtectSystem=strict$/m, 'ProtectSystem=stricter').replaceAll('/opt/mxpool/', '/nonexistent/'));
    const result = analyze(['verify', '--man=no', file]);
    expect(result.stderr).toMatch(/ProtectSystem|protect system/i);
    expect(result.stderr).toMatch(/not executable/);
  });

  it('has a low exposure in the offline security review', () => {
    const result = analyze(['security', '--offline=yes', '--no-pager', unitHere()]);
    const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout)?.[1]);
    expect(exposure, result.stdout.slice(-500) + result.stderr).toBeLessThanOrEqual(2.0);
  });

  it('runs serve as an unprivileged user with the state directory, the config and the secrets where docs/deploy.md says', () => {
    expect(directive('User')).toEqual(['mxpool']);
    expect(directive('ExecStart')[0]).toMatch(/ serve --config \/etc\/mxpool\/mxpool\.yaml$/);
    expect(directive('StateDirectory')).toEqual(['mxpool']);
    expect(directive('ConfigurationDirectory')).toEqual(['mxpool']);
    expect(directive('EnvironmentFile')).toEqual(['-/etc/mxpool/mxpool.env']);
    expect(directive('AmbientCapabilities')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(directive('CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(directive('Restart')).toEqual(['on-failure']);
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp']) expect(directive(key), key).toEqual(['yes']);
    expect(directive('ProtectSystem')).toEqual(['strict']);
    expect(directive('RestrictAddressFamilies')).toEqual(['AF_INET AF_INET6 AF_UNIX']);
    expect(directive('SystemCallFilter')).toContain('@system-service');
    // V8 needs writable-then-executable memory
    expect(directive('MemoryDenyWriteExecute')).toEqual([]);
  });

  it('reloads with SIGHUP exactly when serve handles SIGHUP (before that, SIGHUP would end it)', () => {
    const sources = (readdirSync('src', { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));
    const sighup = sources.some((file) => /['"]SIGHUP['"]/.test(readFileSync(join('src', file), 'utf8')));
    expect(directive('ExecReload')).toEqual(sighup ? ['/bin/kill -HUP $MAINPID'] : []);
  });
});
