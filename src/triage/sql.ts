import type { Store } from '../storage/store.js';
import type { Table } from '../storage/tables.js';

export { sqlString } from '../alerting/store/rows.js';

/** A DateTime64(3) literal for epoch milliseconds. */
export const sqlMillis = (ms: number): string => `fromUnixTimestamp64Milli(${Math.floor(ms)})`;

/** Epoch milliseconds of a DateTime64 column, as a number in JSON output. */
export const epochMillis = (column: string): string => `toUnixTimestamp64Milli(${column})`;

export type Row = Record<string, unknown>;

/** Runs a query and parses its JSONEachRow output (64-bit integers come back as strings). */
export async function rowsOf(store: Store, sql: string): Promise<Row[]> {
  const output = await store.query(sql, { format: 'JSONEachRow' });
  return output
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Row);
}

/** Inserts objects as JSONEachRow into `table`. */
export function insertRows(store: Store, table: Table, rows: Row[]): Promise<void> {
  return store.insert(table.name, Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n')));
}

export const iso = (ms: unknown): string | null => {
  const value = Number(ms);
  return value > 0 ? new Date(value).toISOString() : null;
};
