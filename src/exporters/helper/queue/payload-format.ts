import { JSON_EACH_ROW, type InsertFormat } from '../../../storage/store.js';

/**
 * How a queue's record payloads become insert bodies, and how a refused body is taken apart
 * to find the rows storage will not take.
 */
export interface PayloadFormat {
  /** What storage is told the body is. */
  readonly insert: InsertFormat;
  /** One insert body from record payloads, in order, as parts (never copied into one). */
  body(parts: readonly Buffer[]): readonly Buffer[];
  /** The smallest parts of record payloads that can be inserted (and refused) alone. */
  split(payloads: readonly Buffer[]): Buffer[];
  /** How many rows `split`'s parts hold. */
  rowsIn(parts: readonly Buffer[]): number;
  /** A part as the dead-letter file's `row` keeps it: JSON text. */
  deadLetterRow(part: Buffer): Buffer;
}

const NEWLINE = Buffer.from('\n');

/** JSONEachRow rows never contain a raw newline (JSON escapes it), so lines are rows. */
function splitLines(rows: Buffer, into: Buffer[]): void {
  let start = 0;
  for (let at = rows.indexOf(10); at >= 0; at = rows.indexOf(10, start)) {
    if (at > start) into.push(rows.subarray(start, at));
    start = at + 1;
  }
  if (start < rows.length) into.push(rows.subarray(start));
}

/** JSONEachRow lines: joined by newlines, refused row by row. */
export const JSON_LINES: PayloadFormat = {
  insert: JSON_EACH_ROW,
  body(parts) {
    const body: Buffer[] = [];
    for (const part of parts) {
      if (body.length > 0) body.push(NEWLINE);
      body.push(part);
    }
    return body;
  },
  split(payloads) {
    const lines: Buffer[] = [];
    for (const payload of payloads) splitLines(payload, lines);
    return lines;
  },
  rowsIn: (parts) => parts.length,
  deadLetterRow: (part) => part,
};

/** The row count of a Native block: its second LEB128 number, after the column count. */
function blockRows(block: Buffer): number {
  let at = 0;
  while (block[at]! & 0x80) at++;
  let rows = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = block[++at] ?? 0;
    rows += (byte & 0x7f) * shift;
    if (!(byte & 0x80)) return rows;
  }
}

/**
 * ClickHouse Native blocks (one per record): blocks one after another are one Native stream.
 * A block is the smallest part; typed columns leave storage little to refuse row by row. The
 * dead-letter file keeps a refused block in base64, to be inserted again with `FORMAT Native`.
 */
export function nativeBlocks(columns: readonly string[]): PayloadFormat {
  return {
    insert: { name: 'Native', columns },
    body: (parts) => parts,
    split: (payloads) => [...payloads],
    rowsIn: (parts) => parts.reduce((sum, block) => sum + blockRows(block), 0),
    deadLetterRow: (part) => Buffer.from(JSON.stringify({ native: part.toString('base64') })),
  };
}
