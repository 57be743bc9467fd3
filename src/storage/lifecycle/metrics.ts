import { Counter, Gauge, type Registry } from 'prom-client';
import { perRegistry } from '../../telemetry/per-registry.js';
import type { TableUsage } from './usage.js';

/** Storage use per table and the archive's work, as Prometheus metrics. */
export class StorageMetrics {
  private readonly bytes: Gauge<'table'>;
  private readonly rows: Gauge<'table'>;
  private readonly parts: Gauge<'table'>;
  private readonly compression: Gauge<'table'>;
  readonly archived: Counter<'table'>;
  readonly archiveFailures: Counter;

  static readonly for = perRegistry((registry) => new StorageMetrics(registry));

  private constructor(registry: Registry) {
    const gauge = (name: string, help: string): Gauge<'table'> =>
      new Gauge({ name, help, labelNames: ['table'], registers: [registry] });
    this.bytes = gauge('faultline_storage_bytes', 'Bytes on disk of the active parts, by table.');
    this.rows = gauge('faultline_storage_rows', 'Rows in the active parts, by table.');
    this.parts = gauge('faultline_storage_parts', 'Active data parts, by table.');
    this.compression = gauge(
      'faultline_storage_compression_ratio',
      'Uncompressed over compressed bytes of the active parts, by table.',
    );
    this.archived = new Counter({
      name: 'faultline_archive_partitions_total',
      help: 'Day partitions written to the Parquet archive before they expired, by table.',
      labelNames: ['table'],
      registers: [registry],
    });
    this.archiveFailures = new Counter({
      name: 'faultline_archive_failures_total',
      help: 'Archival passes that failed (retried at the next pass).',
      registers: [registry],
    });
  }

  /** Replaces the per-table figures, so a dropped table stops being reported. */
  record(usage: readonly TableUsage[]): void {
    for (const gauge of [this.bytes, this.rows, this.parts, this.compression]) gauge.reset();
    for (const table of usage) {
      const labels = { table: table.table };
      this.bytes.set(labels, table.bytesOnDisk);
      this.rows.set(labels, table.rows);
      this.parts.set(labels, table.parts);
      this.compression.set(labels, table.compressionRatio);
    }
  }
}
