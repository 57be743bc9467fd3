/**
 * How one OTLP encoding spells ids, 64-bit integers, bytes and enums. The converter walks
 * OTLP/JSON documents and, in tests, protobufjs-decoded messages (the same lowerCamelCase
 * field names), and asks the encoding only about values.
 */
export interface WireEncoding {
  readonly name: 'protobuf' | 'json';
  /** Lowercase hex of an id, '' when absent, or null when it is not `bytes` long. */
  id(raw: unknown, bytes: number): string | null;
  /** An unsigned 64-bit value (timestamps), or null when it is not one. */
  uint64(raw: unknown): bigint | null;
  /** A signed 64-bit value (AnyValue.int_value), or null when it is not one. */
  int64(raw: unknown): bigint | null;
  bytes(raw: unknown): Uint8Array | null;
  /** An enum given as its number (or, in JSON, its name), or null. */
  enumValue(raw: unknown, names: readonly string[]): number | null;
}

const HEX_ID = /^[0-9a-fA-F]*$/;
const DECIMAL = /^-?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function jsonInteger(raw: unknown): bigint | null {
  if (typeof raw === 'string' && DECIMAL.test(raw)) return BigInt(raw);
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  return null;
}

export const jsonEncoding: WireEncoding = {
  name: 'json',
  id(raw, bytes) {
    if (raw == null || raw === '') return '';
    if (typeof raw !== 'string' || raw.length !== bytes * 2 || !HEX_ID.test(raw)) return null;
    return raw.toLowerCase();
  },
  uint64(raw) {
    if (raw == null) return 0n;
    const value = jsonInteger(raw);
    return value !== null && value >= 0n && value <= UINT64_MAX ? value : null;
  },
  int64(raw) {
    if (raw == null) return 0n;
    const value = jsonInteger(raw);
    return value !== null && value >= INT64_MIN && value <= INT64_MAX ? value : null;
  },
  bytes(raw) {
    if (typeof raw !== 'string') return null;
    // JSON bytes are base64 (standard or URL-safe alphabet), as the protobuf JSON mapping says.
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) return null;
    return Buffer.from(raw, 'base64');
  },
  enumValue(raw, names) {
    if (raw == null) return 0;
    if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
    if (typeof raw === 'string') {
      const index = names.indexOf(raw);
      return index >= 0 ? index : null;
    }
    return null;
  },
};
