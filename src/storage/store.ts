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

/**
 * One insert body, whole or as parts to be sent one after another: a batch of queue records
 * is handed over as slices of its records' payloads, so tens of MiB are never copied into one
 * buffer.
 */
export type InsertBody = Buffer | readonly Buffer[];

/** The body as one buffer, for a transport that takes only that (copies when in parts). */
export function wholeBody(body: InsertBody): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return body.length === 1 ? body[0]! : Buffer.concat(body);
}

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
  /** Inserts a body into `table` (unqualified; the store's database is used). */
  insert(table: string, body: InsertBody, options?: InsertOptions): Promise<void>;
  /** True when the engine answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
