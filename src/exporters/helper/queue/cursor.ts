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

/** Replaces the cursor atomically (write a temporary file, then rename over the old one). */
export async function writeCursor(directory: string, cursor: Cursor, sync: boolean): Promise<void> {
  const path = join(directory, CURSOR_FILE);
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(JSON.stringify(cursor));
    if (sync) await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}
