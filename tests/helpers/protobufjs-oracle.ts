import { LogConverter, type LogConversion } from '../../src/receivers/otlp/convert-logs.js';
import {
  MalformedRequest,
  TraceConverter,
  type Conversion,
} from '../../src/receivers/otlp/convert.js';
import type { OtlpLimits } from '../../src/receivers/otlp/config.js';
import {
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
} from '../../src/receivers/otlp/proto.js';
import type { WireEncoding } from '../../src/receivers/otlp/wire.js';
import { installBounds, withBounds, type DecodeBounds } from './bounded-decode.js';

/**
 * The receiver's protobuf path before it had its own decoders, kept as their oracle in tests:
 * protobufjs 8 decodes the request into message objects (skipping children beyond the limits
 * on the wire, see bounded-decode.ts), then TraceConverter / LogConverter walk them with the
 * protobuf spelling of values below.
 */

installBounds(ExportTraceServiceRequest.root);

/** The decode-time bounds that match the converter's limits (it keeps no more than these). */
export function decodeBounds(limits: OtlpLimits): DecodeBounds {
  return {
    attributes: limits.max_attributes_per_span,
    events: limits.max_events_per_span,
    links: limits.max_links_per_span,
    arrayElements: limits.max_array_elements,
  };
}

/**
 * Decodes an export request with protobufjs; throws MalformedRequest on garbage. With `bounds`
 * children beyond them are skipped unread.
 */
export function decodeWithProtobufjs(
  signal: 'traces' | 'logs',
  body: Uint8Array,
  bounds?: DecodeBounds,
): unknown {
  const type = signal === 'traces' ? ExportTraceServiceRequest : ExportLogsServiceRequest;
  try {
    return withBounds(bounds, () => type.decode(body));
  } catch (error) {
    throw new MalformedRequest(`cannot decode the protobuf body: ${(error as Error).message}`);
  }
}

/** protobufjs + TraceConverter with `limits`, bounded as the receiver's decoder is. */
export function oracleTraces(limits: OtlpLimits): (body: Buffer) => Conversion {
  const converter = new TraceConverter(protobufEncoding, limits);
  return (body) => converter.convert(decodeWithProtobufjs('traces', body, decodeBounds(limits)));
}

/** protobufjs + LogConverter with `limits`, bounded as the receiver's decoder is. */
export function oracleLogs(limits: OtlpLimits): (body: Buffer) => LogConversion {
  const converter = new LogConverter(protobufEncoding, limits);
  return (body) => converter.convert(decodeWithProtobufjs('logs', body, decodeBounds(limits)));
}

interface LongLike {
  low: number;
  high: number;
}

const isLong = (raw: unknown): raw is LongLike =>
  typeof raw === 'object' && raw !== null && 'low' in raw && 'high' in raw;

/** protobufjs leaves absent `bytes` fields at their prototype default, an empty array. */
const isAbsent = (raw: unknown): boolean => raw == null || (Array.isArray(raw) && raw.length === 0);

const HEX_TABLE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += HEX_TABLE[bytes[i]!];
  return hex;
}

/** How protobufjs-decoded messages spell ids (Buffer), 64-bit integers (Long) and the rest. */
export const protobufEncoding: WireEncoding = {
  name: 'protobuf',
  id(raw, bytes) {
    if (raw instanceof Uint8Array) {
      if (raw.length === 0) return '';
      return raw.length === bytes ? bytesToHex(raw) : null;
    }
    return isAbsent(raw) ? '' : null;
  },
  uint64(raw) {
    if (isLong(raw)) return (BigInt(raw.high >>> 0) << 32n) | BigInt(raw.low >>> 0);
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return BigInt(raw);
    return raw == null ? 0n : null;
  },
  int64(raw) {
    if (isLong(raw))
      return BigInt.asIntN(64, (BigInt(raw.high >>> 0) << 32n) | BigInt(raw.low >>> 0));
    if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
    return raw == null ? 0n : null;
  },
  bytes(raw) {
    if (raw instanceof Uint8Array) return raw;
    return isAbsent(raw) ? new Uint8Array() : null;
  },
  enumValue(raw) {
    if (raw == null) return 0;
    return typeof raw === 'number' && Number.isInteger(raw) ? raw : null;
  },
};
