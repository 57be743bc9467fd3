import { Counter, Gauge, type Registry } from 'prom-client';
import { perRegistry } from '../../telemetry/per-registry.js';
import type { TableUsage } from './usage.js';

/** A scrape re-reads `system.parts` at most this often; scrapes in between see the last figures. */
const MAX_AGE_MS = 15_000;

/**
 * Storage use per table and the archive's work, as Prometheus metrics. The storage gauges are
 * refreshed on scrape (one metadata query, at most every 15 s) from the source the storage
 * lifecycle sets.
 */
export class StorageMetrics {
  /** Reads the current storage use; unset until the store is open. */
  source: (() => Promise<TableUsage[]>) | undefined;
  private refreshed = 0;
  private refreshing: Promise<void> | undefined;

  private readonly bytes: Gauge<'table'>;
  private readonly rows: Gauge<'table'>;
  private readonly parts: Gauge<'table'>;
  private readonly compression: Gauge<'table'>;
  readonly archived: Counter<'table'>;
  readonly archiveFailures: Counter;

  static readonly for = perRegistry((registry) => new StorageMetrics(registry));

  private constructor(registry: Registry) {
    const refresh = (): Promise<void> => this.refresh();
    const gauge = (name: string, help: string): Gauge<'table'> =>
      new Gauge({
        name,
        help,
        labelNames: ['table'],
        registers: [registry],
        collect: refresh,
      });
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

  /** Re-reads storage use when the last figures are older than MAX_AGE_MS; never throws. */
  refresh(): Promise<void> {
    if (!this.source || Date.now() - this.refreshed < MAX_AGE_MS) return Promise.resolve();
    const source = this.source;
    this.refreshing ??= source()
      .then((usage) => this.record(usage))
      .catch(() => {
        // storage unreachable: keep the last figures; readiness reports the outage
      })
      .finally(() => {
        this.refreshed = Date.now();
        this.refreshing = undefined;
      });
    return this.refreshing;
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
