import { attributeToText, type AttributeValue } from '../../../model/index.js';
import type { ByteSink } from './sink.js';

/**
 * The ClickHouse types a Native block is written in, and how each writes a column of values.
 * LowCardinality columns are written as their plain type: ClickHouse converts a Native
 * column's type to the table's on insert, and the dictionary encoding would only cost JS time.
 */
export interface NativeType<V> {
  /** The type name written into the block header. */
  readonly name: string;
  /** Writes the column: every row's value in row order. */
  write(sink: ByteSink, values: readonly V[]): void;
}

/** A fixed-layout type, written value by value. */
export interface ScalarType<V> extends NativeType<V> {
  one(sink: ByteSink, value: V): void;
}

function scalar<V>(name: string, one: (sink: ByteSink, value: V) => void): ScalarType<V> {
  return {
    name,
    one,
    write(sink, values) {
      for (let i = 0; i < values.length; i++) one(sink, values[i]!);
    },
  };
}

export const String_ = scalar<string>('String', (sink, value) => sink.string(value));

/** An OTLP attribute value stored as the Collector's text form, in a String column. */
export const AttributeText = scalar<AttributeValue>('String', (sink, value) =>
  sink.string(typeof value === 'string' ? value : attributeToText(value)),
);

export const UInt16 = scalar<number>('UInt16', (sink, value) => sink.uint16(value));

export const UInt32 = scalar<number>('UInt32', (sink, value) => sink.uint32(value));

/** UInt64 from numbers (counts) or bigints (nanosecond durations). */
export const UInt64 = scalar<number | bigint>('UInt64', (sink, value) => {
  if (typeof value === 'bigint') sink.bigUInt64(value);
  else sink.uint64(value > 0 ? Math.trunc(value) : 0);
});

export const Float64 = scalar<number>('Float64', (sink, value) => sink.float64(value));

/** DateTime64 of a given precision, from ticks of that unit (Int64 on the wire). */
export const DateTime64 = (precision: number): ScalarType<bigint> =>
  scalar<bigint>(`DateTime64(${precision})`, (sink, value) => sink.bigInt64(value));

/** Array(T): every row's cumulative end offset (UInt64), then all elements as one column. */
export function Array_<V>(of: NativeType<V>): NativeType<readonly V[]> {
  return {
    name: `Array(${of.name})`,
    write(sink, values) {
      const flat: V[] = [];
      for (let i = 0; i < values.length; i++) {
        const items = values[i]!;
        for (let j = 0; j < items.length; j++) flat.push(items[j]!);
        sink.uint64(flat.length);
      }
      of.write(sink, flat);
    },
  };
}

type Entries<V> = Readonly<Record<string, V>>;

/**
 * Map(String, V) from records: offsets like an array, then every key, then every value.
 * Spans of one request share their resource and scope records, so a record that is the same
 * object as the row before's is copied from the bytes just written rather than encoded again.
 */
export function Map_<V>(value: ScalarType<V>): NativeType<Entries<V>> {
  return {
    name: `Map(String, ${value.name})`,
    write(sink, records) {
      // for…in, not Object.keys: attribute records are mostly fast-mode objects (see
      // emptyRecord), whose keys V8 lists from the hidden class's cache without allocating an
      // array. One in dictionary mode (after a delete, or with very many keys) is listed anew
      // by each pass, as Object.keys would list it once.
      let total = 0;
      for (let i = 0; i < records.length; i++) {
        const record = records[i]!;
        for (const _key in record) total++;
        sink.uint64(total);
      }
      writeRuns(sink, records, (record) => {
        for (const key in record) sink.string(key);
      });
      writeRuns(sink, records, (record) => {
        for (const key in record) value.one(sink, record[key]!);
      });
    },
  };
}

/** Writes each record with `each`, or repeats the previous record's bytes for the same object. */
function writeRuns<R>(
  sink: ByteSink,
  records: readonly R[],
  each: (record: R, index: number) => void,
): void {
  let start = 0;
  let end = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (i > 0 && record === records[i - 1]) {
      const at = sink.position;
      sink.repeat(start, end);
      start = at;
      end = sink.position;
    } else {
      start = sink.position;
      each(record, i);
      end = sink.position;
    }
  }
}
