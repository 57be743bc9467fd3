import { perRegistry } from '../../telemetry/per-registry.js';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Self-metrics every batching exporter reports, declared in one place. */
export class ExporterMetrics {
  readonly batches: Counter<'exporter' | 'table' | 'outcome'>;
  readonly items: Counter<'exporter' | 'table'>;
  readonly retries: Counter<'exporter' | 'table'>;
  readonly pending: Gauge<'exporter' | 'table'>;
  readonly sendDuration: Histogram<'exporter' | 'table'>;

  /** The families for `registry`, shared by every instance of the component type. */
  static readonly for = perRegistry((registry) => new ExporterMetrics(registry));

  private constructor(registry: Registry) {
    this.batches = new Counter({
      name: 'faultline_exporter_batches_total',
      help: 'Batches an exporter finished, by outcome (success, rejected, gave_up).',
      labelNames: ['exporter', 'table', 'outcome'],
      registers: [registry],
    });
    this.items = new Counter({
      name: 'faultline_exporter_rows_total',
      help: 'Rows an exporter stored.',
      labelNames: ['exporter', 'table'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'faultline_exporter_retries_total',
      help: 'Batch send attempts that failed retryably and were tried again.',
      labelNames: ['exporter', 'table'],
      registers: [registry],
    });
    this.pending = new Gauge({
      name: 'faultline_exporter_pending_rows',
      help: 'Rows accepted by an exporter and not yet stored.',
      labelNames: ['exporter', 'table'],
      registers: [registry],
    });
    this.sendDuration = new Histogram({
      name: 'faultline_exporter_send_duration_seconds',
      help: 'Time one batch insert took.',
      labelNames: ['exporter', 'table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }
}
