// The command line as a user meets it: a child process, its exit code, stdout and stderr.
// `validate` exit codes as the README documents them: 0 valid, 1 invalid (every problem as file:line:col: key.path: ...),
// 2 usage. And the published entry point: bin/mxpool.js over the built dist/, reached by `npx mxpool`.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.ts';

const repo = process.cwd();
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: repo, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const mxpool = (...args: string[]) => run(process.execPath, ['src/cli.ts', ...args]);

const dir = tempDir('mxpool-cli-');
const broken = join(dir, 'broken.yaml');
writeFileSync(
  broken,
  [
    'zone: example.com', // 1
    'ttl: 0', // 2
    'pools:', // 3
    '  - name: inbound', // 4
    '    role: inbound', // 5
    '    hosts:', // 6
    '      - { name: mx1.example.net, address: 192.0.2.10 }', // 7
    'probe: { interval: 2s, timeout: 5s, helo: "not a name" }', // 8
    'auth: { dmarc: { p: maybe } }', // 9
    '',
  ].join('\n'),
);

describe('mxpool (from source)', () => {
  it('--help lists the commands and exits 0', () => {
    const { code, stdout } = mxpool('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: mxpool');
    expect(stdout).toMatch(/^\s+validate \[options\]/m);
  });

  it('--version prints the package version and exits 0', () => {
    const { code, stdout } = mxpool('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it('validate --help documents --config and --log-level', () => {
    const { code, stdout } = mxpool('validate', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('--config <file>');
    expect(stdout).toContain('--log-level <level>');
  });

  it('validate on the example exits 0 and says so on stdout', () => {
    const { code, stdout, stderr } = mxpool('validate', '--config', 'config/mxpool.example.yaml');
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('config/mxpool.example.yaml: valid (zone example.com, 2 pools, 3 hosts)');
    expect(code).toBe(0);
  });

  it.each(['debug', 'silent', 'trace'])('validate accepts --log-level %s', (level) => {
    expect(mxpool('validate', '--config', 'config/mxpool.example.yaml', '--log-level', level).code).toBe(0);
  });

  it('validate on a broken config exits 1 and prints every problem, in file order, on stderr', () => {
    const { code, stdout, stderr } = mxpool('validate', '--config', broken);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines.map((line) => line.split(': ').slice(0, 2).join(': '))).toEqual([
      `${broken}:2:6: ttl`,
      `${broken}:4:5: pools.0.mx`,
      `${broken}:7:17: pools.0.hosts.0.name`,
      `${broken}:8:33: probe.timeout`,
      `${broken}:8:43: probe.helo`,
      `${broken}:9:21: auth.dmarc.p`,
    ]);
    for (const line of lines) expect(line).toMatch(/^\S+:\d+:\d+: [\w.]+: \S/);
  });

  it('validate on a missing file exits 1 naming the file', () => {
    const { code, stderr } = mxpool('validate', '--config', join(dir, 'nope.yaml'));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`${join(dir, 'nope.yaml')}:1:1: (document): a readable YAML config file (the file does not exist)`);
  });

  it.each([
    ['validate without --config', ['validate'], /required option '-c, --config <file>'/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown option', ['validate', '--config', 'config/mxpool.example.yaml', '--colour'], /unknown option '--colour'/],
    ['a log level that does not exist', ['validate', '--config', 'config/mxpool.example.yaml', '--log-level', 'loud'], /argument 'loud' is invalid/],
    ['no command at all', [], /Usage: mxpool/],
  ])('%s is a usage error: exit 2', (_name, args, message) => {
    const { code, stderr } = mxpool(...args);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });
});

describe('npx mxpool (bin/mxpool.js over the built dist/)', () => {
  beforeAll(() => {
    // the same build `npm ci` runs through `prepare`; rebuilt here so dist/ matches the source under test
    const build = run('npm', ['run', '--silent', 'build']);
    expect(build.stderr + build.stdout).toBe('');
    expect(build.code).toBe(0);
  }, 120_000);

  it('validate on the example exits 0', () => {
    const { code, stdout } = run('npx', ['--offline', '--no-install', 'mxpool', 'validate', '--config', 'config/mxpool.example.yaml']);
    expect(stdout.trim()).toBe('config/mxpool.example.yaml: valid (zone example.com, 2 pools, 3 hosts)');
    expect(code).toBe(0);
  });

  it('validate on a broken config exits 1 with the same messages', () => {
    const { code, stderr } = run('npx', ['--offline', '--no-install', 'mxpool', 'validate', '--config', broken]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${broken}:8:33: probe.timeout: a timeout shorter than probe.interval`);
  });

  it('bin/mxpool.js --version', () => {
    const { code, stdout } = run(process.execPath, ['bin/mxpool.js', '--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });
});

// bin/mxpool.js checks the Node version before it loads anything: one line, exit 1, on an old Node
describe('bin/mxpool.js on a Node older than engines.node', () => {
  const needed = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node.replace(/^>=/, '');
  const oldNode = oldSystemNode();
  const expectAdvice = (result: ReturnType<typeof run>, found: string, binary: string) => {
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`mxpool: needs Node.js >= ${needed}, found ${found} (${binary}); run \`npx mxpool\` after \`npm ci\` (it brings Node 24), or install Node.js 24\n`);
  };

  it('the check and engines.node name the same version', () => {
    expect(needed).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync('bin/mxpool.js', 'utf8')).toContain(`var NEEDED = '${needed}';`);
  });

  it.skipIf(oldNode === undefined)(`the machine's own old Node (${oldNode?.version ?? 'none found on PATH'}) gets one line and exit 1, no stack trace`, () => {
    const { path, version: found } = oldNode as { path: string; version: string };
    expectAdvice(run(path, ['bin/mxpool.js', '--version']), found, path);
  });

  it('the boundary: one patch release below is refused, the version itself runs', () => {
    const [major, minor, patch] = needed.split('.').map(Number) as [number, number, number];
    const below = patch > 0 ? `${major}.${minor}.${patch - 1}` : `${major}.${minor - 1}.99`;
    // the project's Node 24 pretending to be another version before bin/mxpool.js runs
    const as = (v: string) => ['--import', `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'${v}'})`, 'bin/mxpool.js', '--version'];
    const refused = run(process.execPath, as(below));
    expectAdvice(refused, `v${below}`, process.execPath);
    const accepted = run(process.execPath, as(needed));
    expect(accepted.code).toBe(0);
    expect(accepted.stdout.trim()).toBe(version);
  });
});

/** The first `node` on PATH (the project's own node_modules/.bin left out) older than Node 22, if any. */
function oldSystemNode(): { path: string; version: string } | undefined {
  const dirs = (process.env.PATH ?? '').split(':').filter((dir) => dir && !dir.includes('node_modules'));
  for (const dir of dirs) {
    const path = join(dir, 'node');
    const result = spawnSync(path, ['--version'], { encoding: 'utf8' });
    const found = result.status === 0 ? result.stdout.trim() : '';
    if (/^v(1\d|2[01])\./.test(found)) return { path, version: found };
  }
  return undefined;
}
