// The foundation's other two pieces: coded errors that name their origin, and the logger
// (pino to stderr, JSON when stderr is not a terminal, filtered by --log-level).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ConfigError, MxpoolError, UsageError } from '../../src/errors.ts';

describe('errors', () => {
  it('MxpoolError carries a code, its origin and whether it is fatal', () => {
    const cause = new Error('socket hang up');
    const error = new MxpoolError('PROVIDER_API', 'route53', 'ListResourceRecordSets failed', { cause });
    expect(error.message).toBe('route53: ListResourceRecordSets failed');
    expect(error).toMatchObject({ code: 'PROVIDER_API', origin: 'route53', fatal: false, cause });
    expect(error).toBeInstanceOf(Error);
  });

  it('ConfigError prints one FILE:LINE:COL: key.path: expected line per problem', () => {
    const error = new ConfigError('c.yaml', [
      { line: 2, col: 6, path: 'ttl', message: 'a TTL in seconds' },
      { line: 1, col: 1, path: '', message: 'something about the whole file' },
    ]);
    expect(error.message).toBe('c.yaml:2:6: ttl: a TTL in seconds\nc.yaml:1:1: (document): something about the whole file');
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', origin: 'c.yaml', fatal: true, file: 'c.yaml' });
    expect(error.problems).toHaveLength(2);
  });

  it('UsageError is fatal and comes from mxpool', () => {
    expect(new UsageError('--ip is required')).toMatchObject({ code: 'USAGE', origin: 'mxpool', fatal: true, message: 'mxpool: --ip is required' });
  });
});

describe('logs', () => {
  it('go to stderr as JSON lines when stderr is not a terminal, filtered by level, with secrets redacted', () => {
    const script = [
      "import { createLogger } from './src/log.ts';",
      "const log = createLogger('warn');",
      "log.info('not shown');",
      "log.warn({ provider: { token: 'abc123' } }, 'shown');",
      "process.stdout.write('result\\n');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('result\n');
    const lines = child.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as { level: number; msg: string; provider: { token: string } };
    expect(entry).toMatchObject({ level: 40, msg: 'shown' });
    expect(entry.provider.token).toBe('[secret]');
  });
});
