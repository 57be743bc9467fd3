import { ByteSink } from './sink.js';
import type { NativeType } from './types.js';

/** One column of a table: its name, its type on the wire, and how a row's value is read. */
export interface NativeColumn<R> {
  readonly name: string;
  readonly type: NativeType<never>;
  value(row: R): unknown;
}

/** Makes the columns of rows of type R, each value's type checked against its wire type. */
export const columnsOf =
  <R>() =>
  <V>(name: string, type: NativeType<V>, value: (row: R) => V): NativeColumn<R> => ({
    name,
    type,
    value,
  });

/** What a row is guessed to take before the first block says; the sink grows when needed. */
const INITIAL_BYTES_PER_ROW = 1024;
/** Headroom over the expected size, so a block a little larger than average still fits. */
const ROOM = 1.25;

/** What the row encoder needs of a block encoder: the columns it writes, and the block. */
export interface BlockEncoder<T> {
  readonly columnNames: readonly string[];
  encode(items: readonly T[]): Buffer;
}

/**
 * Encodes items as one ClickHouse Native block (column count, row count, then per column its
 * name, type and values), the format ClickHouse inserts without parsing text. Several blocks
 * one after another are still a valid Native stream. `prepare` turns an item into the row the
 * columns read, once per item (a trace's summary and document, say), before any column.
 */
export class NativeBlockEncoder<T, R = T> implements BlockEncoder<T> {
  /** The column names in block order, for `INSERT INTO t (…)`. */
  readonly columnNames: readonly string[];
  /**
   * Bytes a row took in recent blocks (a moving average): the next block's sink starts that
   * large, so it is rarely grown (each growth copies what was written) or copied out.
   */
  private bytesPerRow = INITIAL_BYTES_PER_ROW;

  constructor(
    private readonly columns: readonly NativeColumn<R>[],
    private readonly prepare: (item: T) => R,
  ) {
    this.columnNames = columns.map((c) => c.name);
  }

  encode(items: readonly T[]): Buffer {
    const rows = items.map(this.prepare);
    const sink = new ByteSink(Math.ceil(rows.length * this.bytesPerRow * ROOM));
    sink.varUInt(this.columns.length);
    sink.varUInt(rows.length);
    const values = new Array<unknown>(rows.length);
    for (const column of this.columns) {
      sink.string(column.name);
      sink.string(column.type.name);
      for (let i = 0; i < rows.length; i++) values[i] = column.value(rows[i]!);
      column.type.write(sink, values as never[]);
    }
    const block = sink.finish();
    if (rows.length > 0) this.bytesPerRow += (block.length / rows.length - this.bytesPerRow) / 4;
    return block;
  }
}
