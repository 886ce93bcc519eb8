// `mxpool spf --domain D --ip A [--sender S] [--helo H] (--zone FILE | --nameserver ip:port) [--explain]`:
// the RFC 7208 result for one address on the first stdout line; --explain adds the lookup tree.
// Exit 0 when a result was computed (whatever it is), 2 on a usage error.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { CommandContext } from '../cli.ts';
import { UsageError } from '../errors.ts';
import { firstRecordOrigin, parseZone } from '../dns/masterfile.ts';
import { liveResolver } from '../audit/live-resolver.ts';
import type { Resolver } from '../audit/resolver.ts';
import { evaluateSpf } from '../audit/spf/evaluate.ts';
import { lookupTree, renderTree } from '../audit/spf/tree.ts';
import { zoneResolver } from '../audit/zone-resolver.ts';

interface SpfOptions {
  domain: string;
  ip: string;
  sender?: string;
  helo?: string;
  zone?: string;
  nameserver?: string;
  explain?: boolean;
}

export function spfCommand(context: CommandContext): Command {
  return new Command('spf')
    .description('evaluate SPF (RFC 7208) for one client address: pass, fail, softfail, neutral, none, permerror or temperror')
    .requiredOption('-d, --domain <domain>', 'the domain whose SPF record is checked (the MAIL FROM domain)')
    .requiredOption('--ip <address>', 'the client IP address')
    .option('--sender <address>', 'the MAIL FROM address (default postmaster@<domain>; a bare local part gets @<domain>)')
    .option('--helo <name>', 'the HELO/EHLO name (for %{h} macros)')
    .option('--zone <file>', 'answer from this RFC 1035 master file')
    .option('--nameserver <ip:port>', 'ask this nameserver (with --zone: for names outside the file)')
    .option('--explain', 'print the worst-case lookup tree after the result')
    .action(async (options: SpfOptions) => {
      const domain = options.domain.toLowerCase().replace(/\.$/, '');
      if (isIP(options.ip) === 0) throw new UsageError(`spf: --ip: "${options.ip}" is not an IP address`);
      if (!options.zone && !options.nameserver) throw new UsageError('spf: give --zone FILE or --nameserver ip:port');
      const sender = senderAddress(options.sender, domain);
      const resolver = buildResolver(domain, options);
      const verdict = await evaluateSpf(resolver, { ip: options.ip, sender, helo: options.helo ?? domain });
      const lines = [verdict.result, `${verdict.comment}`];
      if (verdict.record) lines.push(`record: ${verdict.record}`);
      if (options.explain) lines.push('', ...renderTree(await lookupTree(resolver, domain)));
      process.stdout.write(`${lines.join('\n')}\n`);
      context.exitCode = 0;
    });
}

function senderAddress(sender: string | undefined, domain: string): string {
  if (!sender) return `postmaster@${domain}`;
  const at = sender.lastIndexOf('@');
  if (at < 0) return `${sender}@${domain}`;
  const senderDomain = sender.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (senderDomain !== domain) throw new UsageError(`spf: --sender ${sender} is not in --domain ${domain} (the checked domain is the sender's)`);
  return sender;
}

function buildResolver(domain: string, options: SpfOptions): Resolver {
  const live = options.nameserver ? liveResolver({ nameserver: options.nameserver }) : undefined;
  if (!options.zone) return live as Resolver;
  let text: string;
  try {
    text = readFileSync(options.zone, 'utf8');
  } catch (error) {
    throw new UsageError(`spf: --zone: cannot read ${options.zone}: ${(error as Error).message}`);
  }
  let sets;
  try {
    sets = parseZone(text, domain);
  } catch (error) {
    throw new UsageError(`spf: --zone ${options.zone}: ${(error as Error).message}`);
  }
  // the zone's apex: its SOA owner, else the file's own $ORIGIN, else the checked domain. A root
  // zone ($ORIGIN . or an SOA at .) holds every name: a name it lacks is NXDOMAIN, not "outside"
  const origin = sets.find((set) => set.type === 'SOA')?.name ?? firstRecordOrigin(text, domain);
  return zoneResolver(origin, sets, live);
}
