/**
 * One storage interface over both ClickHouse engines: the embedded chDB engine and a
 * ClickHouse server reached with @clickhouse/client. Both run the same SQL and DDL text.
 */
export interface QueryOptions {
  /** A ClickHouse output format name, e.g. `JSON`, `JSONEachRow`, `PrettyCompact`. */
  format: string;
  /** Enforce ClickHouse `readonly = 1` for this query. */
  readonly?: boolean;
}

/**
 * How an insert payload is encoded: JSONEachRow lines, or ClickHouse Native blocks whose
 * columns are named in `columns` (the other columns of the table get their defaults).
 */
export type InsertFormat = { name: 'JSONEachRow' } | { name: 'Native'; columns: readonly string[] };

export const JSON_EACH_ROW: InsertFormat = { name: 'JSONEachRow' };

export interface InsertOptions {
  /** ClickHouse insert deduplication token, so a retried batch is not stored twice. */
  dedupToken?: string;
  /** JSONEachRow unless said otherwise. */
  format?: InsertFormat;
}

export interface Store {
  readonly engine: 'embedded' | 'server';
  readonly database: string;
  open(): Promise<void>;
  /** Runs a statement that returns no rows (DDL). */
  command(sql: string): Promise<void>;
  /** Runs a query and returns its output, formatted by ClickHouse. */
  query(sql: string, options: QueryOptions): Promise<string>;
  /** Inserts a payload into `table` (unqualified; the store's database is used). */
  insert(table: string, payload: Buffer, options?: InsertOptions): Promise<void>;
  /** True when the engine answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
