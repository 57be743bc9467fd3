import type { Store } from './store.js';

/** A ClickHouse string literal: the text with its backslashes and quotes escaped. */
export const sqlString = (text: string): string => `'${text.replace(/[\\']/g, '\\$&')}'`;

/** A DateTime64(3) literal for epoch milliseconds. */
export const sqlMillis = (ms: number): string =>
  `fromUnixTimestamp64Milli(toInt64(${Math.floor(ms)}))`;

/** Epoch milliseconds of a DateTime64 column, as a number in JSON output. */
export const epochMillis = (column: string): string => `toUnixTimestamp64Milli(${column})`;

/**
 * Runs a query and parses its JSONEachRow output. 64-bit integers may come back as JSON numbers
 * and lose precision past 2^53: select a value that must stay exact (nanoseconds) as a string.
 */
export async function queryRows<T = Record<string, unknown>>(
  store: Store,
  sql: string,
): Promise<T[]> {
  const output = await store.query(sql, { format: 'JSONEachRow' });
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
