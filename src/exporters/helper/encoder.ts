import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { errorMessage } from '../../pipeline/errors.js';
import { JSON_LINES, type PayloadFormat } from './queue/payload-format.js';

/** Insert-ready bytes and how many rows they hold. */
export interface EncodedChunk {
  payload: Buffer;
  rows: number;
}

/** An item that could not be turned into a row, and what identifies it. */
export interface UnencodableRow {
  reason: string;
  /** The item's identity (trace id, span id, …), for the dead-letter file. */
  key: Record<string, string>;
}

export interface EncodedRows {
  chunks: EncodedChunk[];
  unencodable: UnencodableRow[];
}

/**
 * Turns a batch of items into insert payloads of a bounded size. What the queues and the
 * exporter need of a row format (Native blocks, `../clickhouse/native/`; JSONEachRow lines):
 * - every chunk holds at most `maxChunkBytes`, except a single row larger than that;
 * - encoding yields to the event loop between slices of bounded time, so a large batch never
 *   holds up other work (the admin port's /healthz, receivers);
 * - an item that cannot be encoded is reported and left out, never thrown: it goes to the
 *   dead-letter file instead of failing (and being retried with) its whole batch.
 */
export interface RowEncoder<T> {
  /** What the chunks are: how storage inserts them, joins them and takes a refused one apart. */
  readonly format: PayloadFormat;
  encode(items: readonly T[]): Promise<EncodedRows>;
}

export interface JsonLinesOptions<T> {
  /** One row as a JSON object on one line (JSON escapes newlines, so lines are rows). */
  row: (item: T) => string;
  /** What identifies an item that cannot be encoded. */
  key: (item: T) => Record<string, string>;
  maxChunkBytes: number;
  /** Encoding time after which it yields to the event loop. */
  sliceMs: number;
}

/** JSONEachRow: rows joined by newlines, in chunks of at most `maxChunkBytes`. */
export class JsonLinesEncoder<T> implements RowEncoder<T> {
  readonly format = JSON_LINES;

  constructor(private readonly options: JsonLinesOptions<T>) {}

  async encode(items: readonly T[]): Promise<EncodedRows> {
    const { row, key, maxChunkBytes, sliceMs } = this.options;
    const chunks: EncodedChunk[] = [];
    const unencodable: UnencodableRow[] = [];
    let lines: string[] = [];
    let bytes = 0;
    const seal = () => {
      if (lines.length === 0) return;
      chunks.push({ payload: Buffer.from(lines.join('\n'), 'utf8'), rows: lines.length });
      lines = [];
      bytes = 0;
    };
    let sliceStarted = performance.now();
    for (const item of items) {
      let line: string;
      try {
        line = row(item);
      } catch (error) {
        unencodable.push({ reason: `unserializable: ${errorMessage(error)}`, key: key(item) });
        continue;
      }
      const size = Buffer.byteLength(line, 'utf8') + 1;
      if (bytes > 0 && bytes + size > maxChunkBytes) seal();
      lines.push(line);
      bytes += size;
      // A clock read (~40 ns) is far below one row's cost (µs), and rows vary in cost.
      if (performance.now() - sliceStarted >= sliceMs) {
        await yieldToEventLoop();
        sliceStarted = performance.now();
      }
    }
    seal();
    return { chunks, unencodable };
  }
}
