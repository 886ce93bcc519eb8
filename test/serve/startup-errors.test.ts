// `mxpool serve` refuses to start, with a clear message and exit 1, when it cannot run safely.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { testConfig } from '../helpers/daemon.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function serve(config: Record<string, unknown>, env: Record<string, string | undefined> = {}): Promise<{ code: number; stderr: string }> {
  const dir = tempDir('mxpool-start-');
  const file = join(dir, 'mxpool.yaml');
  writeFileSync(file, stringify({ ...config, stateDir: join(dir, 'state') }));
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli.ts', 'serve', '--config', file], { env: { ...process.env, ...env }, timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

const base = (http: Record<string, unknown>) => ({
  ...testConfig({ addresses: ['127.0.3.171'], dns: '127.0.3.170:5304', http: '127.0.3.170:8104' }, [2525]),
  http,
});

describe('serve start-up errors', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    const result = await serve(base({ listen: '0.0.0.0:8104' }));
    expect(result.code).toBe(1);
    // caught by config validation (file:line:col) before the daemon's own check would
    expect(result.stderr).toMatch(/mxpool\.yaml:\d+:\d+: http\.listen: .*0\.0\.0\.0:8104 is reachable beyond this machine/);
  });

  it('refuses to start when http.tokenEnv names an unset variable', async () => {
    const result = await serve(base({ listen: '127.0.3.170:8104', tokenEnv: 'MXPOOL_UNSET_TOKEN_FOR_TEST' }), { MXPOOL_UNSET_TOKEN_FOR_TEST: undefined });
    expect(result.code).toBe(1);
    // a config mistake found only at start-up still names file:line:col and the key
    expect(result.stderr).toMatch(/mxpool\.yaml:\d+:\d+: http\.tokenEnv: the environment variable MXPOOL_UNSET_TOKEN_FOR_TEST is not set/);
  });

  it('exits 1 naming the address when the nameserver port is taken', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(5304, '127.0.3.172', resolve));
    try {
      const config = { ...testConfig({ addresses: ['127.0.3.171'], dns: '127.0.3.172:5304', http: '127.0.3.172:8104' }, [2525]) };
      const result = await serve(config);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/EADDRINUSE.*127\.0\.3\.172:5304|127\.0\.3\.172:5304.*(in use|EADDRINUSE)/i);
    } finally {
      squatter.close();
    }
  });
});
