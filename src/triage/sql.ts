import type { Store } from '../storage/store.js';
import type { Table } from '../storage/tables.js';

export type Row = Record<string, unknown>;

/** Inserts objects as JSONEachRow into `table`. */
export function insertRows(store: Store, table: Table, rows: Row[]): Promise<void> {
  return store.insert(table.name, Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n')));
}

export const iso = (ms: unknown): string | null => {
  const value = Number(ms);
  return value > 0 ? new Date(value).toISOString() : null;
};
