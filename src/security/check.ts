// One relay security check of one host: the probe's SMTP session (src/probe/smtp.ts) with the
// security dialogue after its EHLO (dialogue.ts), judged by verdict.ts. Never throws: a session
// that cannot run (refused, timed out) is a report with `error` set and whatever it saw until then.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Config, PoolConfig, SecurityConfig } from '../config/schema.ts';
import { MxpoolError } from '../errors.ts';
import { probeSmtp } from '../probe/smtp.ts';
import type { ProbeOptions, ProbeTarget } from '../probe/types.ts';
import { emptyObservation, securityDialogue, type Credentials, type DialoguePlan } from './dialogue.ts';
import type { SecurityFinding } from './findings.ts';
import { securityVerdict } from './verdict.ts';

/** What one check of one host found. */
export interface SecurityReport {
  host: string;
  pool: string;
  /** epoch ms when the check started */
  at: number;
  ms: number;
  findings: SecurityFinding[];
  /** one line per check: what was sent and what came back */
  notes: string[];
  /** the session could not run to its end (refused, timeout, reset...): what went wrong, else null */
  error: string | null;
  /** C:/S: lines of the session after EHLO; credentials shown as [placeholders] */
  transcript: string[];
}

/** A pool's checks, ready to run: the config plus the credentials read from the environment. */
export interface PoolChecks {
  pool: string;
  settings: SecurityConfig;
  credentials?: Credentials;
  localSender: string;
}

/**
 * The pools with `security`, their credentials read from the environment once. A variable that is
 * not set is a start-up error naming the key (never the value).
 */
export function poolChecks(config: Config, env: Record<string, string | undefined>): PoolChecks[] {
  return config.pools.flatMap((pool, index): PoolChecks[] => {
    const settings = pool.security;
    if (!settings) return [];
    const checks: PoolChecks = { pool: pool.name, settings, localSender: `postmaster@${config.zone}` };
    if (settings.auth) checks.credentials = { username: readEnv(env, settings.auth.usernameEnv, index, 'usernameEnv'), password: readEnv(env, settings.auth.passwordEnv, index, 'passwordEnv') };
    return [checks];
  });
}

function readEnv(env: Record<string, string | undefined>, name: string, pool: number, key: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new MxpoolError('CONFIG_INVALID', `pools.${pool}.security.auth.${key}`, `the environment variable ${name} is not set; the relay AUTH check needs it`, { fatal: true });
  }
  return value;
}

/** A password no relay account has: random per check, and says what it is. */
export function wrongPassword(random: (size: number) => Buffer = randomBytes): string {
  return `mxpool-deliberately-wrong-${random(12).toString('hex')}`;
}

export interface CheckOptions {
  /** the probe's options; the security session uses STARTTLS whenever it is offered */
  probe: ProbeOptions;
  random?: (size: number) => Buffer;
  now?: () => number;
}

export async function checkSecurity(target: ProbeTarget, checks: PoolChecks, options: CheckOptions): Promise<SecurityReport> {
  const at = (options.now ?? Date.now)();
  const started = performance.now();
  let wrong = wrongPassword(options.random);
  if (wrong === checks.credentials?.password) wrong = `${wrong}-not-yours`;
  const plan: DialoguePlan = {
    openRelay: checks.settings.openRelay,
    authAfterStarttls: checks.settings.authAfterStarttls,
    relayTestDomain: checks.settings.relayTestDomain,
    localSender: checks.localSender,
    wrongPassword: wrong,
  };
  if (checks.credentials) plan.credentials = checks.credentials;
  const seen = emptyObservation();
  const transcript: string[] = [];
  const result = await probeSmtp(target, { ...options.probe, starttls: 'optional' }, securityDialogue(plan, seen, transcript));
  // a session cut short still reports what it saw; the checks it did not reach say nothing
  const reached = result.ok || !['connect', 'greeting', 'ehlo', 'starttls', 'tls', 'cert'].includes(result.stage);
  const verdict = reached ? securityVerdict(seen, { openRelay: plan.openRelay, authAfterStarttls: plan.authAfterStarttls, auth: plan.credentials !== undefined }) : { findings: [], notes: [] };
  return {
    host: target.name,
    pool: checks.pool,
    at,
    ms: Math.round((performance.now() - started) * 10) / 10,
    findings: verdict.findings,
    notes: verdict.notes,
    error: result.ok ? null : `${result.stage}: ${result.reason}`,
    transcript,
  };
}

export function hostsWithChecks(config: Config): { pool: PoolConfig; host: PoolConfig['hosts'][number] }[] {
  return config.pools.flatMap((pool) => (pool.security ? pool.hosts.map((host) => ({ pool, host })) : []));
}
