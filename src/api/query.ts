import { z } from 'zod';
import { ReadonlyViolation } from '../storage/readonly-sql.js';
import { PermanentError, errorMessage } from '../pipeline/errors.js';
import type { Store } from '../storage/store.js';
import { clickHouseCode } from '../storage/errors.js';
import { ApiError } from './respond.js';

/** Output formats the query API offers, by their ClickHouse names. */
export const QUERY_FORMATS = [
  'JSON',
  'JSONEachRow',
  'PrettyCompact',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TSVWithNames',
] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export const queryRequestSchema = z
  .object({
    sql: z.string().min(1, 'sql must not be empty').max(100_000),
    format: z.enum(QUERY_FORMATS).default('JSON'),
  })
  .strict();

export const FORMAT_CONTENT_TYPES: Record<QueryFormat, string> = {
  JSON: 'application/json; charset=utf-8',
  JSONEachRow: 'application/x-ndjson; charset=utf-8',
  PrettyCompact: 'text/plain; charset=utf-8',
  CSV: 'text/csv; charset=utf-8',
  CSVWithNames: 'text/csv; charset=utf-8',
  TSV: 'text/tab-separated-values; charset=utf-8',
  TSVWithNames: 'text/tab-separated-values; charset=utf-8',
};

/** ClickHouse's READONLY error: the engine itself refused a write. */
const READONLY_CODE = 164;

/** Runs read-only SQL; refusals and ClickHouse's own errors become 400s with its message. */
export async function runReadonlyQuery(
  store: Store,
  sql: string,
  format: QueryFormat,
): Promise<string> {
  try {
    return await store.query(sql, { format, readonly: true });
  } catch (error) {
    if (error instanceof ReadonlyViolation || clickHouseCode(error) === READONLY_CODE) {
      throw new ApiError(400, 'not_read_only', errorMessage(error));
    }
    if (error instanceof PermanentError) throw new ApiError(400, 'query_failed', error.message);
    throw new ApiError(503, 'storage_unavailable', errorMessage(error));
  }
}
