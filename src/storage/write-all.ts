import { writev, writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';

/** What `writeAll` writes through: a FileHandle, or a bare descriptor wrapped by `fdWriter`. */
export type VectorWriter = Pick<FileHandle, 'writev'>;

const writevOnPool = promisify(writev);

/**
 * A descriptor as a `VectorWriter`, for a file opened with `openSync`: opening and closing
 * take microseconds on the calling thread, whereas each on the pool costs a round trip
 * through the event loop, which is long while the loop is busy with requests.
 */
export const fdWriter = (fd: number): VectorWriter => ({
  writev: (buffers) => writevOnPool(fd, buffers),
});

/**
 * Writes every byte of `buffers` at the file's position with `writev`: one job on libuv's
 * thread pool for all of them (a short write, rare, takes another). A write per buffer would
 * queue each behind whatever else waits for the pool: the durable queue's appends and syncs,
 * and the embedded engine's calls, which hold a pool thread for the whole query.
 */
export async function writeAll(file: VectorWriter, buffers: readonly Buffer[]): Promise<void> {
  let remaining = buffers;
  while (remaining.length > 0) {
    const { bytesWritten } = await file.writev(remaining as Buffer[]);
    remaining = dropWritten(remaining, bytesWritten);
  }
}

/**
 * `writeAll` on the calling thread, for small writes into the page cache (~0.15 ms a MiB
 * here): done on the pool, their completion would wait for the event loop to get to it.
 */
export function writeAllSync(fd: number, buffers: readonly Buffer[]): void {
  let remaining = buffers;
  while (remaining.length > 0) remaining = dropWritten(remaining, writevSync(fd, remaining));
}

function dropWritten(buffers: readonly Buffer[], written: number): readonly Buffer[] {
  let skip = written;
  let index = 0;
  while (index < buffers.length && skip >= buffers[index]!.length) skip -= buffers[index++]!.length;
  const rest = buffers.slice(index);
  if (rest.length > 0 && skip > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
