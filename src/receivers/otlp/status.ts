import { PipelineError, QUEUE_FULL, RetryableError, errorMessage } from '../../pipeline/errors.js';
import { BODY_TOO_LARGE, UNSUPPORTED_ENCODING } from './body.js';

/** The gRPC status codes the receivers answer with (gRPC's `statuscodes.md`). */
export const GrpcStatus = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** How a refused request is answered on each transport; the one place errors become codes. */
export interface Refusal {
  httpStatus: number;
  grpcCode: GrpcStatus;
  message: string;
  /** Label for faultline_receiver_refused_spans_total. */
  reason: string;
  retryAfterSeconds?: number;
}

interface Status {
  http: number;
  grpc: GrpcStatus;
}

/**
 * The one table from an error to its HTTP status and gRPC code, as OTLP specifies them: a full
 * buffer is backpressure, any other retryable error an outage, a permanent one bad data.
 */
const STATUS = {
  badData: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  tooLarge: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  unsupportedMedia: { http: 415, grpc: GrpcStatus.INVALID_ARGUMENT },
  backpressure: { http: 429, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  unavailable: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
} satisfies Record<string, Status>;

/** Permanent errors whose code needs a status other than 400 / INVALID_ARGUMENT. */
const PERMANENT_BY_CODE: Record<string, Status> = {
  [BODY_TOO_LARGE]: STATUS.tooLarge,
  [UNSUPPORTED_ENCODING]: STATUS.unsupportedMedia,
};

export function refusalFor(error: unknown): Refusal {
  if (error instanceof RetryableError) {
    const status = error.code === QUEUE_FULL ? STATUS.backpressure : STATUS.unavailable;
    return {
      httpStatus: status.http,
      grpcCode: status.grpc,
      message: error.message,
      reason: error.code,
      retryAfterSeconds: Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)),
    };
  }
  if (error instanceof PipelineError) {
    const status = PERMANENT_BY_CODE[error.code] ?? STATUS.badData;
    return {
      httpStatus: status.http,
      grpcCode: status.grpc,
      message: error.message,
      reason: error.code,
    };
  }
  // Unknown failures must not lose data: answer retryably so the client keeps it.
  return {
    httpStatus: STATUS.unavailable.http,
    grpcCode: STATUS.unavailable.grpc,
    message: `internal error: ${errorMessage(error)}`,
    reason: 'internal',
    retryAfterSeconds: 1,
  };
}
