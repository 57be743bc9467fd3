import { ByteSink } from './sink.js';
import type { NativeType } from './types.js';

/** One column of a table: its name, its type on the wire, and how a row's value is read. */
export interface NativeColumn<R> {
  readonly name: string;
  readonly type: NativeType<never>;
  value(row: R): unknown;
}

/** A column whose value type is checked against its wire type. */
export function column<R, V>(
  name: string,
  type: NativeType<V>,
  value: (row: R) => V,
): NativeColumn<R> {
  return { name, type, value };
}

/** About what one span row takes in Native; the sink grows past it when needed. */
const INITIAL_BYTES_PER_ROW = 1024;

/**
 * Encodes rows as one ClickHouse Native block (column count, row count, then per column its
 * name, type and values), the format ClickHouse inserts without parsing text. Several blocks
 * one after another are still a valid Native stream.
 */
export class NativeBlockEncoder<R> {
  /** The column names in block order, for `INSERT INTO t (…)`. */
  readonly columnNames: readonly string[];

  constructor(private readonly columns: readonly NativeColumn<R>[]) {
    this.columnNames = columns.map((c) => c.name);
  }

  encode(rows: readonly R[]): Buffer {
    const sink = new ByteSink(rows.length * INITIAL_BYTES_PER_ROW);
    sink.varUInt(this.columns.length);
    sink.varUInt(rows.length);
    const values = new Array<unknown>(rows.length);
    for (const column of this.columns) {
      sink.string(column.name);
      sink.string(column.type.name);
      for (let i = 0; i < rows.length; i++) values[i] = column.value(rows[i]!);
      column.type.write(sink, values as never[]);
    }
    return sink.finish();
  }
}
