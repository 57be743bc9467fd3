import { PermanentError, RetryableError, errorMessage } from '../../pipeline/errors.js';
import { clickHouseCode } from '../errors.js';
import { NOT_READ_ONLY, ReadonlyViolation } from '../readonly-sql.js';
import type { Store } from '../store.js';

/** Output formats a read-only query may ask for, by their ClickHouse names. */
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

/** ClickHouse's READONLY error: the engine itself refused a write. */
const READONLY_CODE = 164;

/** Codes of the errors `runReadonlyQuery` raises (and NOT_READ_ONLY), the API's error codes. */
export const QUERY_FAILED = 'query_failed';
export const STORAGE_UNAVAILABLE = 'storage_unavailable';

/**
 * Runs one read-only statement (see readonly-sql.ts) with ClickHouse's `readonly = 1`, for the
 * query API and `faultline query`. A statement that is not read-only, or that ClickHouse refuses,
 * fails with a PermanentError (`not_read_only`, `query_failed`) carrying ClickHouse's message;
 * anything else means storage is unavailable (a RetryableError, `storage_unavailable`).
 */
export async function runReadonlyQuery(
  store: Store,
  sql: string,
  format: QueryFormat,
): Promise<string> {
  try {
    return await store.query(sql, { format, readonly: true });
  } catch (error) {
    if (error instanceof ReadonlyViolation || clickHouseCode(error) === READONLY_CODE) {
      throw new PermanentError(errorMessage(error), NOT_READ_ONLY, { cause: error });
    }
    if (error instanceof PermanentError) {
      throw new PermanentError(error.message, QUERY_FAILED, { cause: error });
    }
    throw new RetryableError(errorMessage(error), STORAGE_UNAVAILABLE, undefined, {
      cause: error,
    });
  }
}
