import { crc32 } from 'node:zlib';

/**
 * One log record: a fixed header, then the payload (insert-ready JSONEachRow lines).
 *
 *   magic u32 | payload length u32 | rows u32 | appended at (ms) f64 | crc32 u32 | payload
 *
 * The checksum covers the length, rows, time and payload, so a torn write (a crash in the
 * middle of a record) or a flipped bit anywhere is detected and the record skipped.
 * The magic lets a reader find the next record after a corrupt length.
 */
export const RECORD_MAGIC = 0x31574c46; // "FLW1" read as little-endian bytes
export const HEADER_BYTES = 24;
/** Bigger than any record the writer produces; a longer length is corruption. */
export const MAX_PAYLOAD_BYTES = 1024 ** 3;

export interface RecordHeader {
  payloadBytes: number;
  rows: number;
  appendedAt: number;
}

export function encodeHeader(payload: Buffer, rows: number, appendedAt: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(RECORD_MAGIC, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(rows, 8);
  header.writeDoubleLE(appendedAt, 12);
  header.writeUInt32LE(crc32(payload, crc32(header.subarray(4, 20))), 20);
  return header;
}

/** The header at `offset` of `buffer` if it is plausible; the checksum is checked separately. */
export function readHeader(buffer: Buffer, offset: number): RecordHeader | undefined {
  if (buffer.length - offset < HEADER_BYTES) return undefined;
  if (buffer.readUInt32LE(offset) !== RECORD_MAGIC) return undefined;
  const payloadBytes = buffer.readUInt32LE(offset + 4);
  if (payloadBytes > MAX_PAYLOAD_BYTES) return undefined;
  return {
    payloadBytes,
    rows: buffer.readUInt32LE(offset + 8),
    appendedAt: buffer.readDoubleLE(offset + 12),
  };
}

/** True when the payload matches the checksum stored in the header at `offset`. */
export function checksumMatches(buffer: Buffer, offset: number, payload: Buffer): boolean {
  const stored = buffer.readUInt32LE(offset + 20);
  return crc32(payload, crc32(buffer.subarray(offset + 4, offset + 20))) === stored;
}
