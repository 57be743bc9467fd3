import type { Logger } from 'pino';
import type { StorageConfig } from '../config.js';
import { columnCodec, type Compression } from '../schema/codecs.js';
import { LOCAL_SUFFIX, renderStatements, type DdlTarget } from '../schema/target.js';
import { queryRows, sqlString } from '../sql.js';
import type { Store } from '../store.js';

/** A compressed column as `system.columns` has it. */
export interface ColumnCodec {
  table: string;
  name: string;
  compression_codec: string;
}

/**
 * Applies `storage.compression` to the tables that exist, at every start-up, so a changed
 * setting takes effect on an existing store: one ALTER per table whose codecs differ. Changing
 * a codec rewrites no data; new parts, and old ones as merges rewrite them, get the new codec.
 */
export async function applyCompression(
  store: Store,
  config: StorageConfig,
  target: DdlTarget,
  logger: Logger,
): Promise<void> {
  const columns = await compressedColumns(store, target);
  const changes = codecChanges(columns, config.compression, target.database);
  for (const { table, statement, columns: count } of changes) {
    logger.info({ table, columns: count, compression: config.compression }, 'changing codecs');
    for (const rendered of renderStatements([statement], target)) await store.command(rendered);
  }
}

/** The ALTER of each table with a column whose codec is not the one `compression` gives. */
export function codecChanges(
  columns: readonly ColumnCodec[],
  compression: Compression,
  database: string,
): { table: string; statement: string; columns: number }[] {
  const byTable = new Map<string, string[]>();
  for (const { table, name, compression_codec: current } of columns) {
    const wanted = columnCodec(table, name, current, compression);
    if (wanted === current) continue;
    const clauses = byTable.get(table) ?? [];
    clauses.push(`MODIFY COLUMN ${quoteColumn(name)} ${wanted}`);
    byTable.set(table, clauses);
  }
  return [...byTable].map(([table, clauses]) => ({
    table,
    statement: `ALTER TABLE ${database}.${table} ${clauses.join(', ')}`,
    columns: clauses.length,
  }));
}

/** Compressed columns of the MergeTree tables holding data, by table name without `_local`. */
async function compressedColumns(store: Store, target: DdlTarget): Promise<ColumnCodec[]> {
  const database = sqlString(target.database);
  const suffix = target.cluster ? LOCAL_SUFFIX : '';
  const found = await queryRows<ColumnCodec>(
    store,
    `SELECT table, name, compression_codec FROM system.columns
WHERE database = ${database} AND compression_codec != ''
  AND table IN (SELECT name FROM system.tables WHERE database = ${database} AND engine LIKE '%MergeTree')`,
  );
  return found
    .filter(({ table }) => !suffix || table.endsWith(suffix))
    .map((column) => ({
      ...column,
      table: column.table.slice(0, column.table.length - suffix.length),
    }));
}

/** `Events.Attributes` as one name. */
const quoteColumn = (name: string): string => `\`${name.replace(/[`\\]/g, '\\$&')}\``;
