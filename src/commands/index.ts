// The one table of commands. Each file in this folder exports a factory that builds its `Command`.
import type { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { validateCommand } from './validate.ts';
import { probeCommand } from './probe.ts';
import { drainCommand, undrainCommand } from './drain.ts';
import { serveCommand } from './serve.ts';
import { demoCommand } from './demo.ts';
import { auditCommand } from './audit.ts';
import { spfCommand } from './spf.ts';
import { zoneCommand } from './zone.ts';
import { planCommand } from './plan.ts';
import { syncCommand } from './sync.ts';

export type CommandFactory = (context: CommandContext) => Command;

export const commands: CommandFactory[] = [validateCommand, probeCommand, drainCommand, undrainCommand, serveCommand, demoCommand, zoneCommand, auditCommand, spfCommand, planCommand, syncCommand];
