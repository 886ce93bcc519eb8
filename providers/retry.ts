// The retry loop both provider clients use around their SDK calls (the SDKs' own retries are off):
// every attempt counted, a failure the client's `judge` calls retryable waited out and tried again,
// fewer tries when the endpoint did not answer at all (an unreachable API rarely recovers within
// seconds), and a final failure thrown as PROVIDER_API with the client's own wording.
import type { Logger } from '../src/log.ts';
import { MxpoolError } from '../src/errors.ts';
import type { ApiCounter, Sleep } from './provider.ts';

/** What a client makes of one failed call. */
export interface FailedCall {
  retryable: boolean;
  /** no HTTP answer at all (refused, reset, DNS): at most UNREACHABLE_ATTEMPTS tries */
  unreachable: boolean;
  /** the error's text for the final message, e.g. "(HTTP 429): Throttling: Rate exceeded" */
  detail: string;
  /** how long to wait before the next attempt (attempt 1 = the first retry's wait) */
  delayMs(attempt: number): number;
  /** extra fields for the retry's warning */
  fields: Record<string, unknown>;
}

export interface RetryOptions {
  provider: string;
  logger: Logger;
  sleep: Sleep;
  counter?: ApiCounter | undefined;
  maxAttempts: number;
  /** the warning logged before each retry */
  retrying: string;
  judge(raw: unknown, retryServerErrors: boolean): FailedCall;
}

export const UNREACHABLE_ATTEMPTS = 3;

/** Exponential backoff with full jitter: a random wait up to base x 2^(attempt-1), capped. */
export function fullJitter(random: () => number, baseMs: number, maxMs: number, attempt: number): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

/** `send` until it succeeds or `judge` says stop; `retryServerErrors`: a 5xx may be repeated (reads). */
export async function withRetries<T>(options: RetryOptions, operation: string, send: () => Promise<T>, retryServerErrors: boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    options.counter?.count(operation);
    try {
      return await send();
    } catch (raw) {
      const failed = options.judge(raw, retryServerErrors);
      const attempts = failed.unreachable ? Math.min(UNREACHABLE_ATTEMPTS, options.maxAttempts) : options.maxAttempts;
      if (!failed.retryable || attempt >= attempts) {
        throw new MxpoolError('PROVIDER_API', options.provider, `${operation} failed${failed.detail}`, { cause: raw });
      }
      const delay = failed.delayMs(attempt);
      options.logger.warn({ provider: options.provider, operation, ...failed.fields, attempt, delayMs: delay }, options.retrying);
      await options.sleep(delay);
    }
  }
}
