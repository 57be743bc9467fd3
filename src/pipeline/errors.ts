/**
 * Errors that cross component boundaries say at birth whether a retry can help.
 * Receivers map them to OTLP codes in one place (see receivers/otlp/status.ts).
 */
export abstract class PipelineError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad data: sending the same thing again will fail the same way. */
export class PermanentError extends PipelineError {
  readonly retryable = false;
}

/**
 * Temporary refusal (backpressure, storage down, shutting down): the client should retry,
 * after `retryAfterMs` when given.
 */
export class RetryableError extends PipelineError {
  readonly retryable = true;
  constructor(
    message: string,
    code: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, code, options);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Code of the RetryableError a full buffer raises: receivers answer 429 / RESOURCE_EXHAUSTED. */
export const QUEUE_FULL = 'queue_full';
/** Code of the RetryableError raised once a component is shutting down. */
export const SHUTTING_DOWN = 'shutting_down';
