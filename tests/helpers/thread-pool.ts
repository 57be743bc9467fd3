import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Holds every thread of libuv's pool (each blocked opening a FIFO in `directory` that no one
 * writes to) until the returned function is called: the embedded engine's queries hold pool
 * threads like this, for a whole insert.
 */
export function holdThreadPool(directory: string): () => Promise<void> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_, i) => join(directory, `held-${i}.fifo`));
  execFileSync('mkfifo', fifos);
  const readers = fifos.map((fifo) => open(fifo, 'r'));
  return async () => {
    // Opening the writing end lets the blocked open of the reading end return.
    for (const fifo of fifos) closeSync(openSync(fifo, 'w'));
    for (const reader of await Promise.all(readers)) await reader.close();
  };
}

/** What `work` settles to, or 'waiting for the pool' if it has not within 10 s. */
export function unlessStuck<T>(work: Promise<T>): Promise<T | 'waiting for the pool'> {
  // Not a speed bound: work queued behind the held pool waits until it is released.
  const stuck = new Promise<'waiting for the pool'>((resolve) =>
    setTimeout(resolve, 10_000, 'waiting for the pool'),
  );
  return Promise.race([work, stuck]);
}
