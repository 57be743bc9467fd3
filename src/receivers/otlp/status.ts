import { status as GrpcStatus } from '@grpc/grpc-js';
import { PipelineError, QUEUE_FULL, RetryableError, errorMessage } from '../../pipeline/errors.js';
import { MalformedRequest } from './convert.js';

/** How a refused request is answered on each transport; the one place errors become codes. */
export interface Refusal {
  httpStatus: number;
  grpcCode: GrpcStatus;
  message: string;
  /** Label for faultline_receiver_refused_spans_total. */
  reason: string;
  retryAfterSeconds?: number;
}

export function refusalFor(error: unknown): Refusal {
  if (error instanceof MalformedRequest) {
    return {
      httpStatus: 400,
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      message: error.message,
      reason: 'malformed',
    };
  }
  if (error instanceof RetryableError) {
    const retryAfterSeconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000));
    // A full buffer is backpressure (429 / RESOURCE_EXHAUSTED); anything else is an outage.
    return error.code === QUEUE_FULL
      ? {
          httpStatus: 429,
          grpcCode: GrpcStatus.RESOURCE_EXHAUSTED,
          message: error.message,
          reason: error.code,
          retryAfterSeconds,
        }
      : {
          httpStatus: 503,
          grpcCode: GrpcStatus.UNAVAILABLE,
          message: error.message,
          reason: error.code,
          retryAfterSeconds,
        };
  }
  if (error instanceof PipelineError) {
    return {
      httpStatus: 400,
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      message: error.message,
      reason: error.code,
    };
  }
  // Unknown failures must not lose data: answer retryably so the client keeps it.
  return {
    httpStatus: 503,
    grpcCode: GrpcStatus.UNAVAILABLE,
    message: `internal error: ${errorMessage(error)}`,
    reason: 'internal',
    retryAfterSeconds: 1,
  };
}
