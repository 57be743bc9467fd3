import { z } from 'zod';
import { PipelineError } from '../pipeline/errors.js';
import { QUERY_FORMATS, runReadonlyQuery, type QueryFormat } from '../storage/queries/readonly.js';
import type { Store } from '../storage/store.js';
import { ApiError, parseJson } from './respond.js';

export const queryRequestSchema = z
  .object({
    sql: z.string().min(1, 'sql must not be empty').max(100_000),
    format: z.enum(QUERY_FORMATS).default('JSON'),
  })
  .strict();

/** ClickHouse's long names of the formats above, as `default_format` is often given. */
const FORMAT_ALIASES: Record<string, QueryFormat> = {
  TabSeparated: 'TSV',
  TabSeparatedWithNames: 'TSVWithNames',
};

export interface QueryRequest {
  sql: string;
  format: QueryFormat;
}

/**
 * Reads a query request in either of two shapes. Faultline's own: a JSON body
 * `{"sql": "...", "format": "..."}`. ClickHouse's HTTP interface: the SQL as the raw body
 * (`curl --data-binary 'SELECT 1'`, any content type) or in `?query=` (then by GET too), and
 * the output format in `?default_format=` or `?format=`; ClickHouse `JSON` unless one is named.
 * A body that is a JSON object is Faultline's shape, since no SQL statement starts with `{`.
 */
export function parseQueryRequest(params: URLSearchParams, body: Buffer): QueryRequest {
  const inQuery = params.get('query');
  const text = body.toString('utf8');
  const named = params.get('format') ?? params.get('default_format');
  const format = named === null ? undefined : formatNamed(named);
  if (inQuery !== null) {
    if (text.trim() !== '') {
      throw new ApiError(
        400,
        'invalid_request',
        'the SQL is given twice: send it in ?query= or in the body, not both',
      );
    }
    return rawSql(inQuery, format);
  }
  if (text.trimStart().startsWith('{')) return jsonRequest(parseJson(body), format);
  return rawSql(text, format);
}

function jsonRequest(json: unknown, format: QueryFormat | undefined): QueryRequest {
  const parsed = queryRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError(
      400,
      'invalid_request',
      `${issue.path.join('.') || 'body'}: ${issue.message}`,
    );
  }
  const given = (json as { format?: unknown }).format !== undefined;
  return { sql: parsed.data.sql, format: given ? parsed.data.format : (format ?? 'JSON') };
}

function rawSql(sql: string, format: QueryFormat | undefined): QueryRequest {
  if (sql.trim() === '') {
    throw new ApiError(
      400,
      'invalid_request',
      'no SQL: send it as the body, in ?query=, or as JSON {"sql": "..."}',
    );
  }
  const parsed = queryRequestSchema.shape.sql.safeParse(sql);
  if (!parsed.success)
    throw new ApiError(400, 'invalid_request', `sql: ${parsed.error.issues[0]!.message}`);
  return { sql, format: format ?? 'JSON' };
}

function formatNamed(name: string): QueryFormat {
  const format = FORMAT_ALIASES[name] ?? name;
  if ((QUERY_FORMATS as readonly string[]).includes(format)) return format as QueryFormat;
  throw new ApiError(
    400,
    'invalid_request',
    `unknown format "${name}": use one of ${QUERY_FORMATS.join(', ')}`,
  );
}

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
