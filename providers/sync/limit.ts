// At most `concurrency` reconciles at once across the syncers of many zones: 10,000 tenant zones
// changed by one health change (or due on the same cron minute) queue here instead of opening
// 10,000 API requests at the same moment.
export type Limit = <T>(work: () => Promise<T>) => Promise<T>;

export function limiter(concurrency: number): Limit {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      release();
    }
  };
}
