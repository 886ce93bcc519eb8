// Coded errors that name their origin. `fatal` errors stop start-up; soft ones keep loops running.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'PROBE_FAILED'
  | 'DNS_BAD_PACKET'
  | 'STATE_CORRUPT'
  | 'PROVIDER_API'
  | 'PLAN_UNSAFE'
  | 'HTTP_API';

export class MxpoolError extends Error {
  readonly code: ErrorCode;
  /** where it came from: a file, a provider name, a host */
  readonly origin: string;
  readonly fatal: boolean;

  constructor(code: ErrorCode, origin: string, message: string, options: { fatal?: boolean; cause?: unknown } = {}) {
    super(`${origin}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MxpoolError';
    this.code = code;
    this.origin = origin;
    this.fatal = options.fatal ?? false;
  }
}

export interface ConfigProblem {
  line: number;
  col: number;
  /** dotted key path, e.g. pools.0.hosts.1.address ('' for the document itself) */
  path: string;
  /** what was expected */
  message: string;
  /** the file the problem is in, when not the config file itself (a tenantsFrom file) */
  file?: string;
}

export class ConfigError extends MxpoolError {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[]) {
    super('CONFIG_INVALID', file, `${problems.length} problem(s)`, { fatal: true });
    this.file = file;
    this.problems = problems;
    this.message = ConfigError.format(file, problems);
  }

  /** One line per problem: FILE:LINE:COL: key.path: what was expected (FILE: the problem's own, else the config's) */
  static format(file: string, problems: readonly ConfigProblem[]): string {
    return problems.map((p) => `${p.file ?? file}:${p.line}:${p.col}: ${p.path || '(document)'}: ${p.message}`).join('\n');
  }
}

export class UsageError extends MxpoolError {
  constructor(message: string) {
    super('USAGE', 'mxpool', message, { fatal: true });
  }
}
