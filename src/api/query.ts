import { z } from 'zod';
import { PipelineError } from '../pipeline/errors.js';
import { QUERY_FORMATS, runReadonlyQuery, type QueryFormat } from '../storage/queries/readonly.js';
import type { Store } from '../storage/store.js';
import { ApiError } from './respond.js';

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

/** `POST /api/v1/query`: refusals and ClickHouse's own errors are 400s, storage down a 503. */
export async function queryForApi(store: Store, sql: string, format: QueryFormat): Promise<string> {
  try {
    return await runReadonlyQuery(store, sql, format);
  } catch (error) {
    if (error instanceof PipelineError) {
      throw new ApiError(error.retryable ? 503 : 400, error.code, error.message);
    }
    throw error;
  }
}
