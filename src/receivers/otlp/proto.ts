import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import Long from 'long';
import type { Signal } from '../../model/index.js';

// int64/fixed64 fields decode to Long objects so timestamps keep all 64 bits (protobufjs
// decodes requests only in tests, as the receiver's decoders' oracle, and in tools).
protobuf.util.Long = Long;
protobuf.configure();

/** The repository's proto/ folder: three levels up from src/receivers/otlp or dist/receivers/otlp. */
const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTO_DIR, target));
  root.loadSync([
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/collector/logs/v1/logs_service.proto',
    'google/rpc/status.proto',
    'google/rpc/error_details.proto',
  ]);
  root.resolveAll();
  return root;
}

const root = loadRoot();

export const ExportTraceServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);
export const ExportTraceServiceResponse = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
);
export const ExportLogsServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);
const ExportLogsServiceResponse = root.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
);
export const RpcStatus = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');

/**
 * A google.rpc.Status carrying a RetryInfo detail: the `grpc-status-details-bin` trailer of a
 * retryable refusal. OTLP clients retry RESOURCE_EXHAUSTED only when the server says how long
 * to wait this way.
 */
export function encodeRetryStatus(
  code: number,
  message: string,
  retryAfterSeconds: number,
): Buffer {
  const retryInfo = RetryInfo.encode({ retryDelay: { seconds: retryAfterSeconds } }).finish();
  return Buffer.from(
    RpcStatus.encode({
      code,
      message,
      details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo }],
    }).finish(),
  );
}

export const TRACE_SERVICE_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_SERVICE_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** The OTLP signals Faultline receives. */
export type { Signal };

export interface ExportResult {
  /** Spans or log records rejected, for `partial_success`. */
  rejected: number;
  errorMessage: string;
}

/** Each signal's response message and the name of its rejected-count field. */
const RESPONSES: Record<Signal, { type: protobuf.Type; rejectedField: string }> = {
  traces: { type: ExportTraceServiceResponse, rejectedField: 'rejectedSpans' },
  logs: { type: ExportLogsServiceResponse, rejectedField: 'rejectedLogRecords' },
};

/** Export…ServiceResponse bytes; empty when nothing was rejected, as the spec asks. */
export function encodeExportResponse(signal: Signal, result: ExportResult): Uint8Array {
  if (result.rejected === 0) return new Uint8Array();
  const { type, rejectedField } = RESPONSES[signal];
  return type
    .encode({
      partialSuccess: { [rejectedField]: result.rejected, errorMessage: result.errorMessage },
    })
    .finish();
}

/** The same response in OTLP/JSON (int64 as a decimal string, per the protobuf JSON mapping). */
export function exportResponseJson(signal: Signal, result: ExportResult): string {
  if (result.rejected === 0) return '{}';
  return JSON.stringify({
    partialSuccess: {
      [RESPONSES[signal].rejectedField]: String(result.rejected),
      errorMessage: result.errorMessage,
    },
  });
}

export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode({ code, message }).finish();
}
