// `mxpool probe` loads only what it uses: the command table imports the named command's module
// alone, so the AWS and Cloudflare SDKs, mailauth and prom-client (plan, sync, audit, serve) stay
// out of its start-up and its RSS. Checked with a module resolve hook in a child process.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const HEAVY = ['@aws-sdk/client-route-53', 'cloudflare', 'mailauth', 'prom-client', 'dns2'];

/** The npm packages a command line resolves while it runs (its output discarded). */
function packagesLoadedBy(argv: string[]): Promise<string[]> {
  const script = `
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) {
  const resolved = next(specifier, context);
  const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
  if (match) seen.add(match[1]);
  return resolved;
} });
const { main } = await import('./src/cli.ts');
await main(${JSON.stringify(argv)});
process.stderr.write('\\nPACKAGES ' + JSON.stringify([...seen]) + '\\n');
`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (error, _stdout, stderr) => {
      const line = /^PACKAGES (.*)$/m.exec(stderr);
      if (error || !line) reject(new Error(`${error?.message ?? 'no package list'}\n${stderr}`));
      else resolve(JSON.parse(line[1]!) as string[]);
    });
  });
}

describe('mxpool probe start-up', () => {
  it('does not load the SDKs and libraries of other commands; the full help does', async () => {
    const [probe, help] = await Promise.all([packagesLoadedBy(['probe', '--help']), packagesLoadedBy(['--help'])]);
    expect(probe).toEqual(expect.arrayContaining(['commander', 'yaml', 'zod']));
    for (const name of HEAVY) expect(probe, name).not.toContain(name);
    // the same hook sees them when every command is registered: the check above can fail
    expect(help).toEqual(expect.arrayContaining(['@aws-sdk/client-route-53', 'cloudflare', 'mailauth']));
  });
});
