/**
 * The general-purpose codec of every compressed column, from `storage.compression`:
 * - `lz4`, ClickHouse's own default: what the engine compresses fastest, on every insert and
 *   again on every merge;
 * - `zstd`, the OpenTelemetry Collector's exporter's choice: smaller parts at more CPU.
 * The migrations are written with the Collector's codecs (`ZSTD(1)`, `ZSTD(3)` for long text);
 * specialised codecs in front (`Delta`) stay as they are.
 */
export const COMPRESSIONS = ['lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

const ZSTD = /\bZSTD\(\d+\)/g;
const LZ4 = /\bLZ4\b/g;

/**
 * Columns of long text the migrations compress with `ZSTD(3)`, by `table.column`, so a store
 * switched back from lz4 gets the level it was created with
 * (`tests/storage/compression.test.ts` checks the two agree).
 */
const LONG_TEXT = new Set([
  'otel_traces.InputPreview',
  'otel_traces.OutputPreview',
  'agent_traces.Document',
  'failures.Message',
  'failure_status_changes.Note',
  'alerts.Annotations',
  'incidents.Alerts',
  'exports.Content',
]);

/** A schema statement as written, with its codecs for `compression`. */
export function withCompression(statement: string, compression: Compression): string {
  return compression === 'lz4' ? statement.replace(ZSTD, 'LZ4') : statement;
}

/**
 * The codec a column of `table` should have: its current `CODEC(…)` with the general-purpose
 * codec swapped. A column without one (`Delta` alone, or none) keeps what it has.
 */
export function columnCodec(
  table: string,
  column: string,
  current: string,
  compression: Compression,
): string {
  if (compression === 'lz4') return current.replace(ZSTD, 'LZ4');
  const level = LONG_TEXT.has(`${table}.${column}`) ? 3 : 1;
  return current.replace(LZ4, `ZSTD(${level})`);
}
