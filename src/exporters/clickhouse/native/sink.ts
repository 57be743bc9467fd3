/**
 * A growable little-endian byte buffer for ClickHouse's Native format: unsigned LEB128 lengths,
 * length-prefixed UTF-8 strings and fixed-width numbers, appended in place.
 */
/** Below this many chars a string is tried as ASCII (and its length fits one byte). */
const SHORT_STRING = 64;
/** The share of a sink's buffer in use above which `finish` hands out a view, not a copy. */
const MOSTLY_USED = 0.75;

export class ByteSink {
  private buffer: Buffer;
  /** The same bytes as `buffer`, for 64-bit integers. */
  private view: DataView;
  private at = 0;

  constructor(initialBytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, initialBytes));
    this.view = viewOf(this.buffer);
  }

  /**
   * The bytes written. A buffer mostly used is handed out as it is (a view), saving a copy;
   * one with much spare capacity is copied out, so the spare memory is not kept alive.
   */
  finish(): Buffer {
    const written = this.buffer.subarray(0, this.at);
    return this.at >= this.buffer.length * MOSTLY_USED ? written : Buffer.from(written);
  }

  varUInt(value: number): void {
    this.reserve(10);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.at++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.buffer[this.at++] = rest;
  }

  string(value: string): void {
    const length = value.length;
    // Short ASCII text (keys, names, ids, enum values: most strings of a span) is copied
    // char by char: Buffer#write's native call costs more than such a copy. With the repeated
    // records of types.ts it took the bench payload's span block from 25 to 10 CPU µs per span.
    if (length < SHORT_STRING) {
      this.reserve(length + 1);
      const buffer = this.buffer;
      const start = this.at + 1;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[start + i] = code;
      }
      if (i === length) {
        buffer[this.at] = length;
        this.at = start + length;
        return;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varUInt(bytes);
    this.reserve(bytes);
    this.at += this.buffer.write(value, this.at, 'utf8');
  }

  /** Where the next byte goes; with `repeat`, copies a range written earlier. */
  get position(): number {
    return this.at;
  }

  /**
   * Appends again the bytes written from `start` to `end`. With `copyWithin`: Buffer#copy
   * makes a view of the source range for every call.
   */
  repeat(start: number, end: number): void {
    this.reserve(end - start);
    this.buffer.copyWithin(this.at, start, end);
    this.at += end - start;
  }

  uint8(value: number): void {
    this.reserve(1);
    this.buffer[this.at++] = value;
  }

  uint16(value: number): void {
    this.reserve(2);
    this.at = this.buffer.writeUInt16LE(value & 0xffff, this.at);
  }

  uint32(value: number): void {
    this.reserve(4);
    this.at = this.buffer.writeUInt32LE(value >>> 0, this.at);
  }

  /** A non-negative integer below 2^53 as UInt64 (token counts, offsets). */
  uint64(value: number): void {
    this.reserve(8);
    this.buffer.writeUInt32LE(value >>> 0, this.at);
    this.buffer.writeUInt32LE(Math.floor(value / 0x1_0000_0000) >>> 0, this.at + 4);
    this.at += 8;
  }

  /**
   * Any bigint, wrapped to 64 bits as ClickHouse would store it. Through a DataView, which
   * wraps as it stores: Buffer's BigInt writers and `BigInt.asUintN` make new BigInts (three
   * or four a value), and a span has several (its times, durations, integer attributes).
   */
  bigUInt64(value: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.at, value, true);
    this.at += 8;
  }

  bigInt64(value: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.at, value, true);
    this.at += 8;
  }

  float64(value: number): void {
    this.reserve(8);
    this.at = this.buffer.writeDoubleLE(value, this.at);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
    this.view = viewOf(grown);
  }
}

const viewOf = (buffer: Buffer): DataView =>
  new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
