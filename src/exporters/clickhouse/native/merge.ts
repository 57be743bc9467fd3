/**
 * Merges Native blocks of the same columns into one block, for one insert. A queue record is
 * one request's block (~200 span rows), and a batch is its records one after another. ClickHouse
 * reads and converts each block of an insert (plain String to the table's LowCardinality, map
 * keys too) before it squashes them into one part: 10,000 rows as 200-row blocks took ~23% more
 * of its CPU than as one block (14.4 → 17.7 µs a row on the embedded engine), and its inserts
 * run one at a time. Merging walks each column to find its bytes, and hands them on as parts
 * of the blocks (no copy: a fresh buffer for a whole batch cost more in first-touch page faults
 * than the walk), with new offsets for arrays and maps: ~1.4 µs a span row on the event loop,
 * against 1–6 (typically ~3) the engine saves (`bench/merge.mjs`).
 *
 * The types are those the encoders write (`types.ts`). Blocks whose columns differ, or hold a
 * type not listed here, are not merged: they go as they are, which ClickHouse takes as well.
 */

import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ByteSink } from './sink.js';

/**
 * Merging yields to the event loop between columns after this long: a 10,000-row batch takes
 * ~14 ms in all, so it goes in a few slices (the blocks stay in the queue meanwhile).
 */
const SLICE_MS = 5;

type ColumnType =
  | { kind: 'fixed'; width: number }
  | { kind: 'string' }
  | { kind: 'array'; of: ColumnType }
  | { kind: 'map'; key: ColumnType; value: ColumnType };

const FIXED_WIDTHS: Readonly<Record<string, number>> = {
  UInt8: 1,
  UInt16: 2,
  UInt32: 4,
  UInt64: 8,
  Int8: 1,
  Int16: 2,
  Int32: 4,
  Int64: 8,
  Float32: 4,
  Float64: 8,
};

class NotMergeable extends Error {}

/** Parsed once each: a handful, the types the encoders write (an unknown one is not kept). */
const parsedTypes = new Map<string, ColumnType>();

/** The type named in a block's header; throws NotMergeable for one not written by the encoders. */
function columnType(name: string): ColumnType {
  let type = parsedTypes.get(name);
  if (!type) {
    type = parseType(name);
    parsedTypes.set(name, type);
  }
  return type;
}

function parseType(name: string): ColumnType {
  if (name === 'String') return { kind: 'string' };
  const width = FIXED_WIDTHS[name] ?? (/^DateTime64\(\d\)$/.test(name) ? 8 : undefined);
  if (width !== undefined) return { kind: 'fixed', width };
  const array = /^Array\((.+)\)$/.exec(name);
  if (array) return { kind: 'array', of: parseType(array[1]!) };
  const map = /^Map\((.+)\)$/.exec(name);
  if (map) {
    const [key, value] = splitTopLevel(map[1]!);
    return { kind: 'map', key: parseType(key), value: parseType(value) };
  }
  throw new NotMergeable(`type ${name}`);
}

/** `K, V` of a Map's arguments, split at the comma outside any parentheses. */
function splitTopLevel(args: string): [string, string] {
  let depth = 0;
  for (let i = 0; i < args.length; i++) {
    const char = args[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0)
      return [args.slice(0, i).trim(), args.slice(i + 1).trim()];
  }
  throw new NotMergeable(`map arguments ${args}`);
}

/** Where one block's values of a column (or of a nested column) start, and how many there are. */
interface Piece {
  readonly buf: Buffer;
  readonly at: number;
  readonly count: number;
}

/** The merged block as parts: slices of the blocks, and the new offsets and header. */
class Output {
  readonly parts: Buffer[] = [];

  slice(from: Buffer, start: number, end: number): void {
    if (end > from.length) throw new NotMergeable('a column runs past its block');
    if (end > start) this.parts.push(from.subarray(start, end));
  }

  add(bytes: Buffer): void {
    if (bytes.length > 0) this.parts.push(bytes);
  }
}

/** A LEB128 number at `cursor.at`, which moves past it. */
function readVarUInt(buf: Buffer, cursor: { at: number }): number {
  let value = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = buf[cursor.at++];
    if (byte === undefined) throw new NotMergeable('a block ends inside a number');
    value += (byte & 0x7f) * shift;
    if (!(byte & 0x80)) return value;
  }
}

/** A length-prefixed string's bounds at `cursor.at`, which moves past it. */
function readString(buf: Buffer, cursor: { at: number }): [number, number] {
  const length = readVarUInt(buf, cursor);
  const start = cursor.at;
  cursor.at += length;
  if (cursor.at > buf.length) throw new NotMergeable('a block ends inside a string');
  return [start, cursor.at];
}

/**
 * Where `count` length-prefixed strings from `at` end. The hot loop of a merge (a span row
 * holds ~100 strings, most of their lengths one byte), so it allocates nothing.
 */
function skipStrings(buf: Buffer, at: number, count: number): number {
  let pos = at;
  for (let i = 0; i < count; i++) {
    let length = buf[pos++]!;
    if (length >= 0x80) {
      length &= 0x7f;
      for (let shift = 128; ; shift *= 128) {
        const byte = buf[pos++];
        if (byte === undefined) throw new NotMergeable('a block ends inside a number');
        length += (byte & 0x7f) * shift;
        if (!(byte & 0x80)) break;
      }
    }
    pos += length;
  }
  if (pos > buf.length) throw new NotMergeable('a block ends inside a string');
  return pos;
}

/** A little-endian UInt64 below 2^53 (an offset), byte by byte: Buffer's readers check bounds. */
const readUInt64 = (buf: Buffer, at: number): number =>
  uint32At(buf, at) + uint32At(buf, at + 4) * 0x1_0000_0000;

const uint32At = (buf: Buffer, at: number): number =>
  (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16)) + buf[at + 3]! * 0x100_0000;

function writeUInt64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  buf[at] = value;
  buf[at + 1] = value >>> 8;
  buf[at + 2] = value >>> 16;
  buf[at + 3] = value >>> 24;
  buf[at + 4] = high;
  buf[at + 5] = high >>> 8;
  buf[at + 6] = high >>> 16;
  buf[at + 7] = high >>> 24;
}

/**
 * Writes the values of `pieces`, one block's after another, as one column of `type`; returns
 * where each piece's values end in its block.
 */
function writeColumn(type: ColumnType, pieces: readonly Piece[], out: Output): number[] {
  switch (type.kind) {
    case 'fixed':
      return pieces.map(({ buf, at, count }) => {
        const end = at + count * type.width;
        out.slice(buf, at, end);
        return end;
      });
    case 'string':
      return pieces.map(({ buf, at, count }) => {
        const end = skipStrings(buf, at, count);
        out.slice(buf, at, end);
        return end;
      });
    case 'array':
      return writeColumn(type.of, writeOffsets(pieces, out), out);
    case 'map': {
      const entries = writeOffsets(pieces, out);
      const keyEnds = writeColumn(type.key, entries, out);
      const values = entries.map((entry, i) => ({ ...entry, at: keyEnds[i]! }));
      return writeColumn(type.value, values, out);
    }
  }
}

/**
 * Writes the end offsets of arrays (or maps) across pieces, each piece's raised by the elements
 * before it; returns each piece's elements, which follow its offsets.
 */
function writeOffsets(pieces: readonly Piece[], out: Output): Piece[] {
  const offsets = Buffer.allocUnsafe(pieces.reduce((sum, piece) => sum + piece.count, 0) * 8);
  let written = 0;
  let before = 0;
  const elements = pieces.map(({ buf, at, count }) => {
    if (at + count * 8 > buf.length) throw new NotMergeable('offsets run past their block');
    for (let i = 0; i < count; i++) {
      writeUInt64(offsets, written, before + readUInt64(buf, at + i * 8));
      written += 8;
    }
    const inPiece = count > 0 ? readUInt64(buf, at + (count - 1) * 8) : 0;
    before += inPiece;
    return { buf, at: at + count * 8, count: inPiece };
  });
  out.add(offsets);
  return elements;
}

/**
 * The blocks as one block (in parts, to be written one after another), or as they are when
 * they cannot be merged (see above).
 */
export async function mergeNativeBlocks(blocks: readonly Buffer[]): Promise<readonly Buffer[]> {
  if (blocks.length < 2) return blocks;
  try {
    return await merge(blocks);
  } catch (error) {
    if (error instanceof NotMergeable || error instanceof RangeError) return blocks;
    throw error;
  }
}

async function merge(blocks: readonly Buffer[]): Promise<Buffer[]> {
  const cursors = blocks.map(() => ({ at: 0 }));
  const columns = readVarUInt(blocks[0]!, cursors[0]!);
  const rows = blocks.map((block, i) => {
    if (i > 0 && readVarUInt(block, cursors[i]!) !== columns) {
      throw new NotMergeable('blocks of different columns');
    }
    return readVarUInt(block, cursors[i]!);
  });
  const out = new Output();
  const header = new ByteSink(20);
  header.varUInt(columns);
  header.varUInt(rows.reduce((sum, count) => sum + count, 0));
  out.add(header.finish());
  const first = blocks[0]!;
  let sliceStarted = performance.now();
  for (let column = 0; column < columns; column++) {
    if (performance.now() - sliceStarted >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStarted = performance.now();
    }
    // The name and type, as the first block has them; every block must have the same.
    const headerStart = cursors[0]!.at;
    readString(first, cursors[0]!);
    const [typeStart, typeEnd] = readString(first, cursors[0]!);
    const nameAndType = first.subarray(headerStart, cursors[0]!.at);
    for (let i = 1; i < blocks.length; i++) {
      const start = cursors[i]!.at;
      readString(blocks[i]!, cursors[i]!);
      readString(blocks[i]!, cursors[i]!);
      if (!nameAndType.equals(blocks[i]!.subarray(start, cursors[i]!.at))) {
        throw new NotMergeable('blocks of different columns');
      }
    }
    out.slice(first, headerStart, cursors[0]!.at);
    const type = columnType(first.toString('latin1', typeStart, typeEnd));
    const pieces = blocks.map((buf, i) => ({ buf, at: cursors[i]!.at, count: rows[i]! }));
    writeColumn(type, pieces, out).forEach((end, i) => (cursors[i]!.at = end));
  }
  if (cursors.some((cursor, i) => cursor.at !== blocks[i]!.length)) {
    throw new NotMergeable('bytes after the last column');
  }
  return out.parts;
}
