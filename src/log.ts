// The one logger: pino to stderr, pretty when stderr is a TTY, JSON otherwise. Results go to stdout.
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { createRequire } from 'node:module';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Never logged: API tokens, authorization headers, TSIG secrets (wherever a key object ends up). */
export const REDACTED = ['*.token', '*.authorization', 'headers.authorization', 'secret', '*.secret', '*.*.secret', 'keys[*].secret', '*.keys[*].secret', 'tsig[*].secret', '*.tsig[*].secret', '*.password', '*.credentials', 'password', 'credentials'];

export function createLogger(level: string = 'info', options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const base = { level, base: { pid: process.pid }, redact: { paths: REDACTED, censor: '[secret]' } };
  if (pretty) {
    // pino-pretty as a synchronous stream (no worker thread) so short commands flush before exit.
    const require = createRequire(import.meta.url);
    const pinoPretty = require('pino-pretty') as (opts: object) => NodeJS.WritableStream;
    return pino(base, pinoPretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l' }));
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything: for tests and pure helpers that take a logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
