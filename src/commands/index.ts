// The one table of commands. Each file in this folder exports a factory that builds its `Command`.
// Loaded lazily: a command line loads only the module of the command it names, so `mxpool probe`
// does not pay for the AWS and Cloudflare SDKs that plan and sync pull in (about 55 MB of RSS and
// half a second of start-up). Help, and a word that names no command, load them all.
import type { Command } from 'commander';
import type { CommandContext } from '../cli.ts';

export type CommandFactory = (context: CommandContext) => Command;

interface CommandModule {
  /** the command names the module registers */
  names: readonly string[];
  load: () => Promise<CommandFactory[]>;
}

/** In help order. */
export const commandModules: readonly CommandModule[] = [
  { names: ['validate'], load: async () => [(await import('./validate.ts')).validateCommand] },
  { names: ['probe'], load: async () => [(await import('./probe.ts')).probeCommand] },
  { names: ['drain', 'undrain', 'disable', 'enable'], load: async () => { const m = await import('./drain.ts'); return [m.drainCommand, m.undrainCommand, m.disableCommand, m.enableCommand]; } },
  { names: ['serve'], load: async () => [(await import('./serve.ts')).serveCommand] },
  { names: ['reload'], load: async () => [(await import('./reload.ts')).reloadCommand] },
  { names: ['demo'], load: async () => [(await import('./demo.ts')).demoCommand] },
  { names: ['zone'], load: async () => [(await import('./zone.ts')).zoneCommand] },
  { names: ['audit'], load: async () => [(await import('./audit.ts')).auditCommand] },
  { names: ['spf'], load: async () => [(await import('./spf.ts')).spfCommand] },
  { names: ['plan'], load: async () => [(await import('./plan.ts')).planCommand] },
  { names: ['sync'], load: async () => [(await import('./sync.ts')).syncCommand] },
];

/** The factories a command line needs: the named command's module alone when `name` is one, else every command. */
export async function loadCommands(name?: string): Promise<CommandFactory[]> {
  const named = commandModules.filter((module) => name !== undefined && module.names.includes(name));
  const chosen = named.length > 0 ? named : commandModules;
  return (await Promise.all(chosen.map((module) => module.load()))).flat();
}
