// `mxpool <command>`: parses the command line and dispatches to src/commands/*. Returns the exit code.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { LOG_LEVELS } from './log.ts';
import { loadCommands, type CommandFactory } from './commands/index.ts';
import { MxpoolError, ConfigError } from './errors.ts';
import { preferSmallHeap } from './memory-policy.ts';

export interface CommandContext {
  /** set by the action: the command's exit code */
  exitCode: number;
}

function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location (src/ when run from source, dist/src/ when built)
    }
  }
  return '0.0.0';
}

/** The program with the given commands (`loadCommands()` for all of them). */
export function buildProgram(context: CommandContext, commands: readonly CommandFactory[]): Command {
  const program = new Command('mxpool')
    .description('Keeps a mail domain\'s DNS in step with the SMTP hosts that are really up.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run mxpool --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) });
  for (const register of commands) {
    const command = register(context);
    command.addOption(new Option('--log-level <level>', 'log level for stderr').choices(LOG_LEVELS as string[]).default('info'));
    command.exitOverride();
    program.addCommand(command);
  }
  return program;
}

/** Runs one command line; returns the exit code instead of exiting so tests can call it in-process. */
export async function main(argv: string[]): Promise<number> {
  const context: CommandContext = { exitCode: 0 };
  // the first word is the command (the program itself has no options that take a value)
  const program = buildProgram(context, await loadCommands(argv[0]?.startsWith('-') ? undefined : argv[0]));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // `mxpool help` exits 0; `mxpool` with no command prints the help to stderr as a usage error
      if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
      return 2; // usage error: commander already printed what was wrong
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    // MxpoolError messages already start with their origin ("mxpool: ...", "route53: ..."): no second prefix.
    if (error instanceof MxpoolError) {
      process.stderr.write(`${await withConfigPosition(error, program, argv[0])}${error.message}\n`);
      return error.code === 'USAGE' ? 2 : 1;
    }
    process.stderr.write(`mxpool: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/**
 * A config mistake found only when the config is used (probe.caFile unreadable, http.tokenEnv
 * unset) still names FILE:LINE:COL, as `validate` does for the ones it can see.
 */
async function withConfigPosition(error: MxpoolError, program: Command, commandName: string | undefined): Promise<string> {
  if ((error.code !== 'CONFIG_INVALID' && error.code !== 'HTTP_API') || !/^[a-z]\w*(\.\w+)+$/i.test(error.origin)) return '';
  // the config file as commander parsed it for the command that failed
  const file = program.commands.find((command) => command.name() === commandName)?.opts<{ config?: string }>().config;
  if (!file) return '';
  const { keyPosition } = await import('./config/load.ts');
  const at = keyPosition(file, error.origin);
  return at ? `${file}:${at.line}:${at.col}: ` : '';
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  preferSmallHeap();
  process.exitCode = await main(process.argv.slice(2));
}
