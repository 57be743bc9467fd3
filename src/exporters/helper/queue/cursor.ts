import { closeSync, fdatasync, openSync, renameSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * How far the log has been delivered: everything before (`segment`, `offset`) is stored.
 * `inFlightEnd`, when set, is the end of the batch being sent at that moment; after a crash
 * the same records are sent again as one batch, so the batch's deduplication token is the
 * same and ClickHouse drops the copy if the first attempt had landed.
 */
export interface Cursor {
  segment: number;
  offset: number;
  inFlightEnd?: number;
}

const CURSOR_FILE = 'cursor.json';

const datasyncOnPool = promisify(fdatasync);

export async function readCursor(directory: string): Promise<Cursor | undefined> {
  let text: string;
  try {
    text = await readFile(join(directory, CURSOR_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Cursor>;
  if (!Number.isSafeInteger(parsed.segment) || !Number.isSafeInteger(parsed.offset)) {
    throw new Error(`${join(directory, CURSOR_FILE)} is not a queue cursor: ${text.slice(0, 80)}`);
  }
  return parsed as Cursor;
}

/**
 * Replaces the cursor atomically: writes a temporary file, then renames it over the old one.
 * Only `sync`'s fdatasync goes through libuv's pool; the rest runs on the calling thread
 * (~0.14 ms here), since each operation on the pool waits for the event loop to get to its
 * completion. A sender moves the cursor twice a batch, and at the maximum rate those round
 * trips took seconds.
 */
export async function writeCursor(directory: string, cursor: Cursor, sync: boolean): Promise<void> {
  const path = join(directory, CURSOR_FILE);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, JSON.stringify(cursor));
    if (sync) await datasyncOnPool(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
