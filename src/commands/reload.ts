// `mxpool reload --config F`: asks the running `serve` to re-read its config file (what SIGHUP
// does) through its HTTP API, and prints the outcome: what changed, or — when serve refused the
// file and keeps running the config it had — every mistake as FILE:LINE:COL. Exit 0 applied, 1 not.
// The file may well hold the mistakes being reported: only its `http` section must be readable.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parse } from 'yaml';
import type { CommandContext } from '../cli.ts';
import { loadConfig } from '../config/load.ts';
import { parseHostPort } from '../config/schema.ts';
import { ConfigError, MxpoolError } from '../errors.ts';
import type { ApiReloadResult } from '../http/types.ts';
import { clockTime } from './drain.ts';
import { noApi, postToServe, type ApiSettings } from './api-client.ts';

/** A reload probes the hosts it adds (at most 2 x probe.timeout + 1 s) before it answers. */
const RELOAD_TIMEOUT_MS = 120_000;

export function reloadCommand(context: CommandContext): Command {
  return new Command('reload')
    .description('ask the running serve to re-read its config file (as SIGHUP does); print what changed, or every mistake when it was refused')
    .requiredOption('-c, --config <file>', 'the YAML config of the running serve (its http section says where to ask)')
    .action(async (options: { config: string }) => {
      const http = apiSettings(options.config);
      const { status, body, base } = await postToServe(http, '/api/reload', RELOAD_TIMEOUT_MS);
      const result = body as Partial<ApiReloadResult> & { error?: string };
      if (result.outcome === undefined) {
        // not a reload answer: auth (401/403), or a serve too old to reload (404)
        throw new MxpoolError('HTTP_API', base, `reload refused (${status}): ${result.error ?? `HTTP ${status}`}`);
      }
      const reloaded = result as ApiReloadResult;
      if (reloaded.outcome === 'applied') process.stdout.write(`${applied(reloaded)}\n`);
      else process.stderr.write(`${refused(reloaded)}\n`);
      context.exitCode = reloaded.outcome === 'applied' ? 0 : 1;
    });
}

/**
 * The API settings of the config file, also when the file has mistakes elsewhere (the reload is how
 * serve reports them). Only when its `http` section itself cannot be read is serve not asked.
 */
function apiSettings(file: string): ApiSettings {
  try {
    const config = loadConfig(file);
    if (!config.http) throw noApi();
    return config.http;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const http = readableHttp(file);
    if (http) return http;
    throw new ConfigError(file, [...error.problems, { line: 1, col: 1, path: 'http', message: 'a readable http: section to find serve (serve was not asked to reload)' }]);
  }
}

function readableHttp(file: string): ApiSettings | undefined {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'), { logLevel: 'silent', uniqueKeys: false, maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  const http = (raw as { http?: { listen?: unknown; tokenEnv?: unknown } } | null)?.http;
  if (http === null || typeof http !== 'object') return undefined;
  const listen = http.listen ?? '127.0.0.1:8053';
  if (typeof listen !== 'string' || !parseHostPort(listen)) return undefined;
  if (http.tokenEnv !== undefined && (typeof http.tokenEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(http.tokenEnv))) return undefined;
  return { listen, ...(typeof http.tokenEnv === 'string' ? { tokenEnv: http.tokenEnv } : {}) };
}

function applied(result: ApiReloadResult): string {
  const serial = result.serial === result.previousSerial ? `serial ${result.serial} stays (the records did not change)` : `serial ${result.serial} (was ${result.previousSerial})`;
  if (result.changes.length === 0) return `reloaded ${result.file ?? 'the config'} in ${result.ms} ms: no change; ${serial}`;
  return [`reloaded ${result.file ?? 'the config'} in ${result.ms} ms: ${result.changes.length} change(s)`, ...result.changes.map((line) => `  ${line}`), serial].join('\n');
}

function refused(result: ApiReloadResult): string {
  const head = result.outcome === 'unavailable'
    ? 'reload not done:'
    : `reload refused: serve keeps running the config it had (serial ${result.serial}); fix these and reload again (${clockTime(result.at)}):`;
  return [head, ...result.errors].join('\n');
}
