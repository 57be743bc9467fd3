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

export interface InsertOptions {
  /** ClickHouse insert deduplication token, so a retried batch is not stored twice. */
  dedupToken?: string;
}

export interface Store {
  readonly engine: 'embedded' | 'server';
  readonly database: string;
  open(): Promise<void>;
  /** Runs a statement that returns no rows (DDL). */
  command(sql: string): Promise<void>;
  /** Runs a query and returns its output, formatted by ClickHouse. */
  query(sql: string, options: QueryOptions): Promise<string>;
  /** Inserts JSONEachRow lines into `table` (unqualified; the store's database is used). */
  insert(table: string, jsonEachRow: Buffer, options?: InsertOptions): Promise<void>;
  /** True when the engine answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
