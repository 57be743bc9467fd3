import { PermanentError, RetryableError, errorMessage } from '../pipeline/errors.js';

/**
 * ClickHouse error codes after which the same request can succeed later: overload,
 * timeouts, lost connections, read-only replicas (242) or users (164), too many parts, keeper
 * trouble, and authentication (193, 516: an operator fixes the password; the data is fine).
 */
const RETRYABLE_CLICKHOUSE_CODES = new Set([
  3, 159, 160, 164, 192, 193, 194, 195, 202, 203, 209, 210, 236, 241, 242, 252, 279, 285, 319, 341,
  373, 394, 425, 439, 497, 516, 999,
]);

/** Node network errors that mean "not reachable right now". */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export const STORAGE_UNAVAILABLE = 'storage_unavailable';
export const STORAGE_REJECTED = 'storage_rejected';

/** Extracts the numeric ClickHouse error code from an error object or its message. */
export function clickHouseCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null) {
    for (const key of ['clickhouseCode', 'code']) {
      const value = (error as Record<string, unknown>)[key];
      const parsed = typeof value === 'string' ? Number(value) : value;
      if (typeof parsed === 'number' && Number.isInteger(parsed)) return parsed;
    }
  }
  const match = /Code: (\d+)/.exec(errorMessage(error));
  return match ? Number(match[1]) : undefined;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies a storage failure as retryable (try the same batch later) or permanent. */
export function classifyStorageError(error: unknown, action: string): Error {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  const network = networkCode(error);
  if (network) {
    return new RetryableError(
      `${action}: ClickHouse is not reachable (${network})`,
      STORAGE_UNAVAILABLE,
      undefined,
      { cause: error },
    );
  }
  const code = clickHouseCode(error);
  const message = `${action}: ${firstLine(errorMessage(error))}`;
  if (
    code === undefined ||
    RETRYABLE_CLICKHOUSE_CODES.has(code) ||
    isFilesystemFailure(code, message)
  ) {
    return new RetryableError(message, STORAGE_UNAVAILABLE, undefined, { cause: error });
  }
  return new PermanentError(message, STORAGE_REJECTED, { cause: error });
}

/**
 * The engine could not write its files (disk full, directory unwritable, I/O error): the data
 * is fine and the same insert succeeds once the disk is. chDB reports some of these as a
 * std::exception (1001) naming a filesystem_error.
 */
const FILESYSTEM_CODES = new Set([74, 75, 76, 243, 1002]);
const isFilesystemFailure = (code: number, message: string): boolean =>
  FILESYSTEM_CODES.has(code) || (code === 1001 && message.includes('filesystem error'));

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
