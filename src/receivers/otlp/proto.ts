import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import Long from 'long';
import { installBounds } from './bounded-decode.js';

// int64/fixed64 fields decode to Long objects so timestamps keep all 64 bits.
protobuf.util.Long = Long;
protobuf.configure();

/** The repository's proto/ folder: three levels up from src/receivers/otlp or dist/receivers/otlp. */
const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTO_DIR, target));
  root.loadSync([
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'google/rpc/status.proto',
    'google/rpc/error_details.proto',
  ]);
  root.resolveAll();
  return root;
}

const root = loadRoot();
installBounds(root);

export const ExportTraceServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);
export const ExportTraceServiceResponse = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
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

export interface ExportResult {
  rejectedSpans: number;
  errorMessage: string;
}

/** ExportTraceServiceResponse bytes; empty when nothing was rejected, as the spec asks. */
export function encodeExportResponse(result: ExportResult): Uint8Array {
  if (result.rejectedSpans === 0) return new Uint8Array();
  return ExportTraceServiceResponse.encode({
    partialSuccess: { rejectedSpans: result.rejectedSpans, errorMessage: result.errorMessage },
  }).finish();
}

/** The same response in OTLP/JSON (int64 as a decimal string, per the protobuf JSON mapping). */
export function exportResponseJson(result: ExportResult): string {
  if (result.rejectedSpans === 0) return '{}';
  return JSON.stringify({
    partialSuccess: {
      rejectedSpans: String(result.rejectedSpans),
      errorMessage: result.errorMessage,
    },
  });
}

export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode({ code, message }).finish();
}
