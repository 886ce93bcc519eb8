// The retry loop of both provider clients (providers/retry.ts), with a recorded sleep.
import { describe, expect, it } from 'vitest';
import { fullJitter, withRetries, type FailedCall, type RetryOptions } from '../../providers/retry.ts';
import { silentLogger } from '../../src/log.ts';
import { MxpoolError } from '../../src/errors.ts';

interface Fault {
  kind: 'throttled' | 'unreachable' | 'server' | 'refused';
}

function harness(maxAttempts = 5) {
  const slept: number[] = [];
  const counted: string[] = [];
  const options: RetryOptions = {
    provider: 'fake',
    logger: silentLogger,
    sleep: async (ms) => {
      slept.push(ms);
    },
    counter: { count: (operation) => counted.push(operation) },
    maxAttempts,
    retrying: 'fake: retrying',
    judge(raw, retryServerErrors): FailedCall {
      const { kind } = raw as Fault;
      return {
        retryable: kind === 'throttled' || (retryServerErrors && (kind === 'server' || kind === 'unreachable')),
        unreachable: kind === 'unreachable',
        detail: `: ${kind}`,
        delayMs: (attempt) => attempt * 100,
        fields: {},
      };
    },
  };
  /** a call failing with `faults` in turn, then answering 'ok' */
  const failing = (...faults: Fault['kind'][]) => async () => {
    const next = faults.shift();
    if (next) throw { kind: next } satisfies Fault;
    return 'ok';
  };
  return { options, slept, counted, failing };
}

describe('withRetries', () => {
  it('waits out retryable failures and counts every attempt', async () => {
    const { options, slept, counted, failing } = harness();
    await expect(withRetries(options, 'list', failing('throttled', 'throttled', 'server'), true)).resolves.toBe('ok');
    expect(slept).toEqual([100, 200, 300]);
    expect(counted).toEqual(['list', 'list', 'list', 'list']);
  });

  it('never repeats a write that failed on the server side; says what failed', async () => {
    const { options, slept, failing } = harness();
    const error = await withRetries(options, 'batch', failing('server'), false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MxpoolError);
    expect((error as MxpoolError).message).toContain('batch failed: server');
    expect(slept).toEqual([]);
  });

  it('gives an unreachable endpoint three tries, a throttling one every attempt', async () => {
    const down = harness(8);
    await expect(withRetries(down.options, 'list', down.failing(...Array<Fault['kind']>(10).fill('unreachable')), true)).rejects.toThrow('list failed: unreachable');
    expect(down.counted).toHaveLength(3);
    const busy = harness(8);
    await expect(withRetries(busy.options, 'list', busy.failing(...Array<Fault['kind']>(10).fill('throttled')), true)).rejects.toThrow('list failed: throttled');
    expect(busy.counted).toHaveLength(8);
  });

  it('full jitter stays within base x 2^(attempt-1), capped', () => {
    expect(fullJitter(() => 0.999999, 250, 20_000, 1)).toBe(250);
    expect(fullJitter(() => 0.5, 250, 20_000, 3)).toBe(500);
    expect(fullJitter(() => 0.999999, 250, 20_000, 12)).toBe(20_000);
    expect(fullJitter(() => 0, 250, 20_000, 5)).toBe(0);
  });
});
