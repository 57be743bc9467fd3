export interface BackoffConfig {
  initial_interval: number;
  max_interval: number;
  max_elapsed_time: number;
}

/** Exponential backoff with full jitter: a random wait in [0, min(max, initial·2^attempt)]. */
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
