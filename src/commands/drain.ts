// `mxpool drain|undrain|disable|enable HOST --config F`: ask the running `serve` (its HTTP API at
// http.listen, Bearer token from http.tokenEnv) to take a host out of DNS, or put it back. In a
// cluster any node's config will do: the action is recorded in etcd and every node applies it.
import { Command } from 'commander';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { noApi, postToServe } from './api-client.ts';
import { MxpoolError } from '../errors.ts';
import type { ApiDrainResponse } from '../http/types.ts';
import type { HostAction } from '../http/server.ts';

export function drainCommand(context: CommandContext): Command {
  return hostActionCommand(context, 'drain', 'take a host out of DNS at once (it stays in SPF) and print when it is safe to stop');
}

export function undrainCommand(context: CommandContext): Command {
  return hostActionCommand(context, 'undrain', 'put a drained host back: it returns to DNS as soon as its probes pass');
}

export function disableCommand(context: CommandContext): Command {
  return hostActionCommand(context, 'disable', 'switch a host off at run time: out of DNS at once, out of SPF after twice the TTL (until `enable`, restarts included)');
}

export function enableCommand(context: CommandContext): Command {
  return hostActionCommand(context, 'enable', 'lift a run-time disable: the host returns to DNS as soon as its probes pass');
}

function hostActionCommand(context: CommandContext, action: HostAction, description: string): Command {
  return new Command(action)
    .description(description)
    .argument('<host>', 'the host name as in the config, e.g. mx1.example.com')
    .requiredOption('-c, --config <file>', 'the YAML config of the running serve')
    .action(async (host: string, options: { config: string }) => {
      const config = loadConfig(options.config);
      const response = await callServe(config, host, action);
      process.stdout.write(`${describe(response, action)}\n`);
      context.exitCode = 0;
    });
}

async function callServe(config: Config, host: string, action: HostAction): Promise<ApiDrainResponse> {
  if (!config.http) throw noApi();
  const { status, body, base } = await postToServe(config.http, `/api/hosts/${encodeURIComponent(host.toLowerCase().replace(/\.$/, ''))}/${action}`);
  if (status < 200 || status > 299) {
    const message = (body as { error?: string }).error ?? `HTTP ${status}`;
    throw new MxpoolError('HTTP_API', base, `${action} ${host} refused (${status}): ${message}`);
  }
  return body as ApiDrainResponse;
}

/** "HH:MM:SS" in this machine's local time — what an operator compares with the clock on the wall. */
export function clockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

function describe(response: ApiDrainResponse, action: HostAction): string {
  if (action === 'disable') return `${response.host}: disabled; out of DNS (serial ${response.serial}), out of SPF after twice the TTL`;
  if (action === 'enable') {
    if (response.state === 'disabled') return `${response.host}: still disabled (disabled: true in the config decides; serial ${response.serial})`;
    return `${response.host}: enabled, now ${response.state}; ${response.state === 'healthy' ? 'back in DNS' : 'returns to DNS once its probes pass'} (serial ${response.serial})`;
  }
  if (action === 'drain') {
    if (!response.drain) return `${response.host}: ${response.state} (not draining: ${response.state === 'disabled' ? 'disabled in the config' : 'unexpected state'})`;
    const left = Math.max(0, Math.ceil((response.drain.safeToStopAt - Date.now()) / 1000));
    return `${response.host}: draining since ${clockTime(response.drain.drainedAt)}; out of DNS (serial ${response.serial}), still in SPF\n` +
      `safe to stop after ${clockTime(response.drain.safeToStopAt)} (${new Date(response.drain.safeToStopAt).toISOString()}, in ${left} s: twice the TTL, when cached answers have expired)`;
  }
  const back = response.state === 'healthy' ? 'back in DNS' : 'returns to DNS once its probes pass';
  return `${response.host}: undrained, now ${response.state}; ${back} (serial ${response.serial})`;
}
