import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { StorageConfig } from '../config.js';
import { sqlString } from '../sql.js';
import type { Store } from '../store.js';
import { LIFECYCLE_TABLES, retentionSeconds, type LifecycleTable } from './tables.js';

const DAY_MS = 86_400_000;

/** One archived day of one table. */
export interface ArchivedFile {
  table: string;
  /** `YYYY-MM-DD` */
  day: string;
  /** The file's path, as `file()` reads it back. */
  path: string;
  bytes: number;
}

/** `<archive>/<table>/<table>-<YYYY-MM-DD>.parquet`, so `file('<archive>/<table>/*.parquet')` reads a table back. */
export const archiveFilePath = (root: string, table: string, day: string): string =>
  join(root, table, `${table}-${day}.parquet`);

const FILE_NAME = /^(\w+)-(\d{4}-\d{2}-\d{2})\.parquet$/;

/**
 * Writes the day partitions that expire within `storage.archive.ahead` to Parquet files
 * (one per table and day) before TTL drops them. A file is written under a temporary name and
 * renamed when complete, so an existing file is always a whole day; days already archived are
 * skipped. The engine writes the file (`INSERT INTO FUNCTION file`), so the archive directory
 * is on the machine that runs it: the embedded engine only (the config refuses the server).
 */
export async function archiveExpiring(
  store: Store,
  config: StorageConfig,
  logger: Logger,
  now = Date.now(),
): Promise<ArchivedFile[]> {
  const root = config.archive.path;
  const written: ArchivedFile[] = [];
  for (const entry of LIFECYCLE_TABLES) {
    const seconds = retentionSeconds(config, entry);
    if (!entry.archived || !entry.dailyPartitions || seconds === 0) continue;
    const { name } = entry.table;
    // A day's part expires once its last row is older than the retention: at the day's end.
    const cutoff = now + config.archive.ahead - seconds * 1000 - DAY_MS;
    for (const day of await daysBefore(store, config.database, entry, cutoff)) {
      const path = archiveFilePath(root, name, day);
      if (exists(path)) continue;
      await writeDay(store, config.database, entry, day, path);
      const file = { table: name, day, path, bytes: statSync(path).size };
      logger.info(file, 'archived a day before it expires');
      written.push(file);
    }
  }
  return written;
}

async function writeDay(
  store: Store,
  database: string,
  entry: LifecycleTable,
  day: string,
  path: string,
): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  const partial = `${path}.partial`;
  await store.command(
    `INSERT INTO FUNCTION file(${sqlString(partial)}, 'Parquet')
SELECT * FROM ${entry.table.in(database)}
WHERE toDate(${entry.timeColumn}) = toDate(${sqlString(day)})
SETTINGS engine_file_truncate_on_insert = 1`,
  );
  renameSync(partial, path);
}

/** The days of the table's active partitions that end before `cutoffMs`. */
async function daysBefore(
  store: Store,
  database: string,
  entry: LifecycleTable,
  cutoffMs: number,
): Promise<string[]> {
  const cutoffDay = new Date(cutoffMs).toISOString().slice(0, 10);
  const out = await store.query(
    // A day partition's id is its date, e.g. 2026-11-14.
    `SELECT DISTINCT partition FROM system.parts
WHERE database = '${database}' AND table = '${entry.table.name}' AND active
  AND match(partition, '^\\d{4}-\\d{2}-\\d{2}$') AND partition <= '${cutoffDay}'
ORDER BY partition`,
    { format: 'TSV' },
  );
  return out.split('\n').filter(Boolean);
}

/** Every archived file under the archive directory, oldest day first. */
export function listArchive(root: string): ArchivedFile[] {
  if (!root || !exists(root)) return [];
  const files: ArchivedFile[] = [];
  for (const table of readdirSync(root)) {
    const dir = join(root, table);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir)) {
      const match = FILE_NAME.exec(name);
      if (!match || match[1] !== table) continue;
      const path = join(dir, name);
      files.push({ table, day: match[2]!, path, bytes: statSync(path).size });
    }
  }
  return files.sort((a, b) => a.day.localeCompare(b.day) || a.table.localeCompare(b.table));
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
