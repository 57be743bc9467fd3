/**
 * The one retry loop of every exporter and notifier: exponential backoff with jitter, an
 * optional bound on the total time, and an AbortSignal (the shutdown deadline) that ends the
 * waiting. Callers decide which errors are worth retrying and keep their own metrics.
 */
export interface BackoffConfig {
  initial_interval: number;
  max_interval: number;
  /** Give up once the next attempt would start later than this after the first; absent: never. */
  max_elapsed_time?: number;
}

export interface RetryOptions {
  backoff: BackoffConfig;
  /** True when trying again may help. */
  retryable(error: unknown): boolean;
  /** Once aborted there is no further wait or attempt: the last failure is final. */
  signal?: AbortSignal;
  /** Called before each wait, with the failure and the number of the attempt that failed (0…). */
  onRetry?(error: unknown, attempt: number): void;
}

/** Calls `attempt` until it resolves or the failure is final; rejects with the last failure. */
export async function retry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { backoff, signal } = options;
  const started = performance.now();
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const delay = backoffDelay(backoff, n);
      const outOfTime =
        backoff.max_elapsed_time !== undefined &&
        performance.now() - started + delay > backoff.max_elapsed_time;
      if (!options.retryable(error) || signal?.aborted || outOfTime) throw error;
      options.onRetry?.(error, n);
      await sleep(delay, signal);
      if (signal?.aborted) throw error;
    }
  }
}

/** Exponential backoff with jitter: a random wait in [½, 1] × min(max, initial·2^attempt). */
export function backoffDelay(config: BackoffConfig, attempt: number, random = Math.random): number {
  const ceiling = Math.min(config.max_interval, config.initial_interval * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
