/**
 * The one shutdown deadline: the service turns `service.shutdown_timeout` into an AbortSignal
 * and hands it down through every `shutdown`. Once it aborts, a component stops waiting (for
 * in-flight requests, deliveries, retries) and returns; what it still holds stays where it is
 * safe (the durable queue) or is reported.
 */

/**
 * Waits for `work`, but no longer than until `deadline` aborts: true when `work` finished,
 * false when the deadline came first. A rejection of `work` before the deadline is passed on.
 */
export function within(work: Promise<unknown>, deadline?: AbortSignal): Promise<boolean> {
  const finished = work.then(() => true);
  if (!deadline) return finished;
  // Work still running at the deadline may fail later, when no one listens any more.
  finished.catch(() => {});
  if (deadline.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve, reject) => {
    const onAbort = () => resolve(false);
    deadline.addEventListener('abort', onAbort, { once: true });
    finished.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

/** Calls `act` once `deadline` aborts (at once if it has); returns the unsubscribe. */
export function onDeadline(deadline: AbortSignal | undefined, act: () => void): () => void {
  if (!deadline) return () => {};
  if (deadline.aborted) {
    act();
    return () => {};
  }
  deadline.addEventListener('abort', act, { once: true });
  return () => deadline.removeEventListener('abort', act);
}
