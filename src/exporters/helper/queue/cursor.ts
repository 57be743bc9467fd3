import { renameSync, writeFileSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

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
 * Replaces the cursor atomically (write a temporary file, then rename over the old one), on the
 * calling thread: ~0.14 ms here, against four round trips through libuv's pool, each waiting
 * for the event loop to get to its completion. A sender moves the cursor twice a batch, and at
 * the maximum rate those round trips took seconds.
 */
export function writeCursor(directory: string, cursor: Cursor): void {
  const path = join(directory, CURSOR_FILE);
  writeFileSync(`${path}.tmp`, JSON.stringify(cursor));
  renameSync(`${path}.tmp`, path);
}

/** `writeCursor` with the new cursor on the disk before it replaces the old (`fsync: always`). */
export async function writeCursorDurably(directory: string, cursor: Cursor): Promise<void> {
  const path = join(directory, CURSOR_FILE);
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(JSON.stringify(cursor));
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}
