import { Counter, Gauge, type Registry } from 'prom-client';
import { perRegistry } from '../../../telemetry/per-registry.js';

type QueueLabels = 'exporter' | 'table';

/** What a gauge reads from one live queue when Prometheus scrapes. */
export interface QueueGaugeSource {
  labels: { exporter: string; table: string };
  bytes(): number;
  rows(): number;
  capacity(): number;
}

/**
 * Self-metrics of the durable queue, declared in one place. The gauges are read at scrape
 * time from the live queues, so appends on the hot path touch no metric.
 */
export class QueueMetrics {
  readonly corruptRecords: Counter<QueueLabels>;
  readonly replayedRows: Counter<QueueLabels>;
  readonly deadLetterRows: Counter<QueueLabels | 'reason'>;
  private readonly sources = new Set<QueueGaugeSource>();

  static readonly for = perRegistry((registry) => new QueueMetrics(registry));

  private constructor(registry: Registry) {
    const sources = this.sources;
    const gauge = (name: string, help: string, read: (source: QueueGaugeSource) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['exporter', 'table'],
        registers: [registry],
        collect(this: Gauge<QueueLabels>) {
          this.reset();
          for (const source of sources) this.set(source.labels, read(source));
        },
      });
    gauge('faultline_queue_bytes', 'Bytes in the durable queue not yet stored.', (s) => s.bytes());
    gauge('faultline_queue_rows', 'Rows in the durable queue not yet stored.', (s) => s.rows());
    gauge(
      'faultline_queue_capacity_bytes',
      'Bytes the durable queue may hold (queue.max_bytes); receivers push back beyond it.',
      (s) => s.capacity(),
    );
    this.corruptRecords = new Counter({
      name: 'faultline_queue_corrupt_records_total',
      help: 'Torn or corrupt queue records skipped on replay (checksum or header mismatch).',
      labelNames: ['exporter', 'table'],
      registers: [registry],
    });
    this.replayedRows = new Counter({
      name: 'faultline_queue_replayed_rows_total',
      help: 'Rows found undelivered in the queue at start-up and delivered from there.',
      labelNames: ['exporter', 'table'],
      registers: [registry],
    });
    this.deadLetterRows = new Counter({
      name: 'faultline_dead_letter_rows_total',
      help: 'Rows written to the dead-letter file, by reason (rejected by storage, expired).',
      labelNames: ['exporter', 'table', 'reason'],
      registers: [registry],
    });
  }

  watch(source: QueueGaugeSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}
