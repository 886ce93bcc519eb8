// The README is part of the contract: its config sample must be a valid config, and its command
// reference must cover every command the CLI registers.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.ts';
import { buildProgram } from '../../src/cli.ts';
import { loadCommands } from '../../src/commands/index.ts';

const readme = readFileSync('README.md', 'utf8');

describe('README.md', () => {
  it('has a config sample that validates', () => {
    const sample = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(sample).toBeDefined();
    const config = parseConfig(sample!, 'README.md');
    expect(config.pools.map((pool) => pool.role)).toEqual(['inbound', 'outbound']);
  });

  it('lists every command with its exit codes', async () => {
    const names = buildProgram({ exitCode: 0 }, await loadCommands()).commands.map((command) => command.name());
    expect(names.length).toBeGreaterThanOrEqual(11);
    const table = readme.slice(readme.indexOf('## Commands'), readme.indexOf('## Documentation'));
    for (const name of names) expect(table, name).toMatch(new RegExp(`^\\| \`([^|]*/ \`)?${name}\\b`, 'm'));
  });

  it('links the docs of every area, and the linked files it owns exist', () => {
    for (const doc of ['config', 'probe', 'nameserver', 'serve', 'providers', 'audit', 'status-page']) expect(readme).toContain(`](docs/${doc}.md)`);
    expect(() => readFileSync('docs/config.md')).not.toThrow();
  });
});
