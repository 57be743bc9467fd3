import { isUtf8 } from 'node:buffer';
import { MalformedRequest } from './convert.js';
import { InternTable } from './intern.js';

/**
 * The protobuf wire format, read with the checks protobufjs 8 applies (the receiver's decoder
 * before this one, and still the oracle its tests compare against): every read stays inside
 * the message being read, a tag's or length's fifth byte must fit, varints end within ten
 * bytes, strings are strict UTF-8, field number 0 and stray end-group tags are refused, and
 * messages and groups nest at most RECURSION_LIMIT deep. A field whose wire type does not
 * match its declaration is skipped as unknown.
 */

/** How deep messages (and groups) may nest, as protoc's and protobufjs's default. */
const RECURSION_LIMIT = 100;

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
const START_GROUP = 3;
const END_GROUP = 4;
export const FIXED32 = 5;

/** The tag of field `field` with wire type `wire`, as it appears (one varint) on the wire. */
export const tag = (field: number, wire: number): number => (field << 3) | wire;

const EMPTY = Buffer.alloc(0);

/** Buffer's own slicing methods: `toString(encoding, …)` only dispatches to them. */
export interface SlicingBuffer {
  hexSlice(from: number, to: number): string;
  latin1Slice(from: number, to: number): string;
  utf8Slice(from: number, to: number): string;
}

/**
 * Keys up to this many bytes are interned, and other strings (values, names) up to the second:
 * longer values are mostly ids and prose, which do not repeat. Keys have a table of their own,
 * so that one-off values do not push them out.
 */
const INTERNED_KEY_BYTES = 64;
const INTERNED_STRING_BYTES = 32;
const INTERNED_SLOTS = 4096;

export class WireReader {
  protected buf: Buffer = EMPTY;
  protected pos = 0;
  /** The end of the message being read; no read goes past it. */
  protected end = 0;
  /** The halves of the last 64-bit varint read (int64). */
  protected lo = 0;
  protected hi = 0;
  private readonly keys = new InternTable(INTERNED_KEY_BYTES, INTERNED_SLOTS);
  private readonly strings = new InternTable(INTERNED_STRING_BYTES, INTERNED_SLOTS);
  private readonly decodeText = (from: number, to: number): string => this.text(from, to);

  protected start(body: Buffer): void {
    this.buf = body;
    this.pos = 0;
    this.end = body.length;
  }

  /** Forgets the body, so a decoder kept between requests does not hold it. */
  protected finish(): void {
    this.buf = EMPTY;
  }

  protected fail(reason: string): never {
    throw new MalformedRequest(`cannot decode the protobuf body: ${reason} at byte ${this.pos}`);
  }

  private byte(): number {
    if (this.pos >= this.end) this.fail('index out of range');
    return this.buf[this.pos++]!;
  }

  /** A varint of at most five bytes whose last byte holds four more bits (tags and lengths). */
  private varint32(lastByteLimit: number, what: string): number {
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = this.byte();
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    const last = this.byte();
    if (last > lastByteLimit) this.fail(`invalid ${what} encoding`);
    return (value | (last << 28)) >>> 0;
  }

  protected tag(): number {
    const buf = this.buf;
    if (this.pos < this.end && buf[this.pos]! < 0x80) return buf[this.pos++]!;
    // A fifth byte may only carry the top four bits of the 32.
    return this.varint32(0x0f, 'tag');
  }

  /** The length of a length-delimited field. */
  protected size(): number {
    const buf = this.buf;
    if (this.pos < this.end && buf[this.pos]! < 0x80) return buf[this.pos++]!;
    return this.varint32(7, 'length');
  }

  /** A varint of up to ten bytes, of which the low 32 bits are kept. */
  protected uint32(): number {
    const buf = this.buf;
    if (this.pos < this.end && buf[this.pos]! < 0x80) return buf[this.pos++]!;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
    }
    for (let i = 0; i < 5; i++) if (this.byte() < 0x80) return value >>> 0;
    this.fail('invalid varint encoding');
  }

  protected int32(): number {
    return this.uint32() | 0;
  }

  /** A 64-bit varint into `lo` and `hi`. */
  protected varint64(): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (i * 7);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (i * 7 - 32);
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    this.fail('invalid varint encoding');
  }

  protected int64(): bigint {
    this.varint64();
    const { lo, hi } = this;
    if (hi === 0) return BigInt(lo);
    if (hi === 0xffffffff && lo >= 0x80000000) return BigInt(lo | 0);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  protected bool(): boolean {
    let value = false;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      if (b & 0x7f) value = true;
      if (b < 0x80) return value;
    }
    this.fail('invalid varint encoding');
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.end) this.fail('index out of range');
  }

  protected fixed32(): number {
    this.need(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  protected fixed64(): bigint {
    this.need(8);
    const value = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  protected double(): number {
    this.need(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** The bounds of a length-delimited field's content; `pos` moves past it. */
  protected delimited(): number {
    const length = this.size();
    this.need(length);
    const from = this.pos;
    this.pos += length;
    return from;
  }

  protected bytes(): Buffer {
    const from = this.delimited();
    return this.buf.subarray(from, this.pos);
  }

  /** A string field: strict UTF-8, as protobufjs reads proto3 strings; interned when short. */
  protected string(): string {
    const from = this.delimited();
    const to = this.pos;
    if (to - from > INTERNED_STRING_BYTES) return this.text(from, to);
    return this.strings.get(this.buf, from, to, this.decodeText);
  }

  protected text(from: number, to: number): string {
    const buf = this.buf as Buffer & SlicingBuffer;
    // Short ASCII (names, enum-like values) is the common case: checked here, sliced as latin1.
    if (to - from <= 32) {
      let ascii = true;
      for (let i = from; i < to; i++) {
        if (buf[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return buf.latin1Slice(from, to);
    }
    if (!isUtf8(buf.subarray(from, to))) {
      this.pos = from;
      this.fail('invalid UTF-8 in a string');
    }
    return buf.utf8Slice(from, to);
  }

  /** A string field holding a key: interned when short. */
  protected key(): string {
    const from = this.delimited();
    const to = this.pos;
    if (to - from > INTERNED_KEY_BYTES) return this.text(from, to);
    return this.keys.get(this.buf, from, to, this.decodeText);
  }

  /**
   * Enters the message whose length comes next, at nesting `depth`; returns the end to restore
   * with `leave` once `pos` reaches the message's end.
   */
  protected enter(depth: number): number {
    const length = this.size();
    if (depth > RECURSION_LIMIT) this.fail('messages nested too deep');
    const end = this.pos + length;
    if (end > this.end) this.fail('index out of range');
    const outer = this.end;
    this.end = end;
    return outer;
  }

  protected leave(outer: number): void {
    this.end = outer;
  }

  /** Skips the message or other length-delimited value whose length comes next. */
  protected skipDelimited(): void {
    this.delimited();
  }

  /** Skips a field of a message at `depth` that the decoder does not read. */
  protected skipField(tagValue: number, depth: number): void {
    this.skipWireType(tagValue & 7, tagValue >>> 3, depth);
  }

  private skipWireType(wire: number, field: number, depth: number): void {
    if (depth > RECURSION_LIMIT) this.fail('groups nested too deep');
    if (field === 0) this.fail('illegal field number 0');
    switch (wire) {
      case VARINT:
        while (this.byte() & 0x80);
        return;
      case FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case LENGTH_DELIMITED:
        this.delimited();
        return;
      case START_GROUP:
        for (;;) {
          const inner = this.tag();
          const innerField = inner >>> 3;
          if (innerField === 0) this.fail('illegal field number 0');
          if ((inner & 7) === END_GROUP) {
            if (innerField !== field) this.fail('invalid end group tag');
            return;
          }
          this.skipWireType(inner & 7, innerField, depth + 1);
        }
      case FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        this.fail(`invalid wire type ${wire}`);
    }
  }
}
