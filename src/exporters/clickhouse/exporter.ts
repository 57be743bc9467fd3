import type { TelemetryBatch } from '../../model/index.js';
import type { ComponentSettings, Exporter } from '../../pipeline/component.js';
import { Batcher } from '../helper/batcher.js';
import { ExporterMetrics } from '../helper/metrics.js';
import type { ClickhouseExporterConfig } from './config.js';
import { failureRow } from './failure-rows.js';
import { SpanRowWriter } from './rows.js';
import { traceRow } from './trace-rows.js';

/** Bound on retries during shutdown, so SIGTERM finishes while storage is down. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Writes spans into `otel_traces`, assembled traces into `agent_traces` and failures into
 * `failures`: each kind batched by rows and time and retried with backoff on its own.
 */
export class ClickhouseExporter implements Exporter {
  private readonly spans: Batcher<TelemetryBatch['spans'][number]>;
  private readonly traces: Batcher<TelemetryBatch['traces'][number]>;
  private readonly failures: Batcher<TelemetryBatch['failures'][number]>;

  constructor(settings: ComponentSettings<ClickhouseExporterConfig>) {
    const { config, store } = settings;
    const writer = new SpanRowWriter();
    const batcher = <T>(table: string, toRows: (items: T[]) => Buffer) =>
      new Batcher<T>({
        labels: { exporter: settings.id, table },
        maxItems: config.batch.max_rows,
        timeoutMs: config.batch.timeout,
        maxPending: config.max_pending_rows,
        retry: config.retry,
        send: (items, dedupToken) => store.insert(table, toRows(items), { dedupToken }),
        metrics: ExporterMetrics.for(settings.metrics),
        logger: settings.logger,
      });
    this.spans = batcher('otel_traces', (spans) => writer.toJsonEachRow(spans));
    this.traces = batcher('agent_traces', (traces) => lines(traces.map(traceRow)));
    this.failures = batcher('failures', (failures) => lines(failures.map(failureRow)));
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    const parts: Promise<void>[] = [];
    if (batch.spans.length) parts.push(this.spans.add(batch.spans));
    if (batch.traces.length) parts.push(this.traces.add(batch.traces));
    if (batch.failures.length) parts.push(this.failures.add(batch.failures));
    await Promise.all(parts);
  }

  async flush(): Promise<void> {
    await Promise.all(this.all().map((b) => b.flush()));
  }

  ready(): boolean {
    return this.all().every((b) => b.hasRoom());
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.all().map((b) => b.shutdown(SHUTDOWN_GRACE_MS)));
  }

  private all(): Batcher<unknown>[] {
    return [this.spans, this.traces, this.failures] as Batcher<unknown>[];
  }
}

const lines = (rows: string[]): Buffer => Buffer.from(rows.join('\n'), 'utf8');
