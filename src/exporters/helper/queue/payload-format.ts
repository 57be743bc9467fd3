import { JSON_EACH_ROW, type InsertFormat } from '../../../storage/store.js';

/**
 * How a queue's record payloads become insert bodies, and how a refused body is taken apart
 * to find the rows storage will not take.
 */
export interface PayloadFormat {
  /** What storage is told the body is. */
  readonly insert: InsertFormat;
  /**
   * One insert body from record payloads, in order, as parts, never copied into one buffer
   * (Native blocks are merged into one block in place, `../../clickhouse/native/merge.ts`,
   * yielding to the event loop between slices of the work).
   */
  body(parts: readonly Buffer[]): Promise<readonly Buffer[]>;
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
    return Promise.resolve(body);
  },
  split(payloads) {
    const lines: Buffer[] = [];
    for (const payload of payloads) splitLines(payload, lines);
    return lines;
  },
  rowsIn: (parts) => parts.length,
  deadLetterRow: (part) => part,
};
