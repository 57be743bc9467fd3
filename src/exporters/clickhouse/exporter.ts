import { join } from 'node:path';
import type { TelemetryBatch } from '../../model/index.js';
import type { ComponentSettings, Exporter } from '../../pipeline/component.js';
import { Batcher } from '../helper/batcher.js';
import { ExporterMetrics } from '../helper/metrics.js';
import { DeadLetterFile } from '../helper/queue/dead-letter.js';
import { DurableQueue } from '../helper/queue/durable-queue.js';
import { QueueMetrics } from '../helper/queue/metrics.js';
import { JSON_LINES, nativeBlocks, type PayloadFormat } from '../helper/queue/payload-format.js';
import type { RowQueue } from '../helper/row-queue.js';
import type { ClickhouseExporterConfig } from './config.js';
import { failureRow } from './failure-rows.js';
import { spanBlockEncoder } from './native/span-columns.js';
import { traceRow } from './trace-rows.js';

/**
 * Writes spans into `otel_traces`, assembled traces into `agent_traces` and failures into
 * `failures`: each kind through its own queue, batched by rows and time and retried with
 * backoff. Spans, the hot path, travel as ClickHouse Native blocks (the queue's records are
 * the insert payload itself); traces and failures, one row per trace or failure, as JSONEachRow. With `queue.enabled` (the default) the queues are write-ahead logs on disk and a
 * batch is acknowledged once logged; without, once inserted.
 */
export class ClickhouseExporter implements Exporter {
  private readonly spans: RowQueue<TelemetryBatch['spans'][number]>;
  private readonly traces: RowQueue<TelemetryBatch['traces'][number]>;
  private readonly failures: RowQueue<TelemetryBatch['failures'][number]>;
  private readonly shutdownTimeoutMs: number;

  constructor(settings: ComponentSettings<ClickhouseExporterConfig>) {
    const { config, store } = settings;
    this.shutdownTimeoutMs = config.shutdown_timeout;
    const spanEncoder = spanBlockEncoder();
    const metrics = ExporterMetrics.for(settings.metrics);
    const queueDirectory = join(config.queue.directory, settings.id.replace(/[^\w.-]/g, '_'));
    const deadLetter = new DeadLetterFile(
      config.dead_letter.path ?? join(queueDirectory, 'dead-letter.jsonl'),
      settings.id,
    );
    const queue = <T>(
      table: string,
      format: PayloadFormat,
      serialize: (items: T[]) => Buffer,
    ): RowQueue<T> => {
      const common = {
        labels: { exporter: settings.id, table },
        timeoutMs: config.batch.timeout,
        retry: config.retry,
        metrics,
        logger: settings.logger,
      };
      if (!config.queue.enabled) {
        return new Batcher<T>({
          ...common,
          maxItems: config.batch.max_rows,
          maxPending: config.max_pending_rows,
          send: (items, dedupToken) =>
            store.insert(table, serialize(items), { dedupToken, format: format.insert }),
        });
      }
      return new DurableQueue<T>({
        ...common,
        maxRows: config.batch.max_rows,
        maxAgeMs: config.queue.max_age,
        wal: {
          directory: join(queueDirectory, table),
          fsync: config.queue.fsync,
          fsyncIntervalMs: config.queue.fsync_interval,
          segmentBytes: config.queue.segment_size,
          maxBytes: config.queue.max_bytes,
          memoryBytes: config.queue.memory_size,
        },
        serialize,
        format,
        send: (rows, dedupToken) =>
          store.insert(table, rows, { dedupToken, format: format.insert }),
        deadLetter,
        queueMetrics: QueueMetrics.for(settings.metrics),
      });
    };
    this.spans = queue('otel_traces', nativeBlocks(spanEncoder.columnNames), (spans) =>
      spanEncoder.encode(spans),
    );
    this.traces = queue('agent_traces', JSON_LINES, (traces) => lines(traces.map(traceRow)));
    this.failures = queue('failures', JSON_LINES, (failures) => lines(failures.map(failureRow)));
  }

  async start(): Promise<void> {
    await Promise.all(this.all().map((q) => q.start()));
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    const parts: Promise<void>[] = [];
    if (batch.spans.length) parts.push(this.spans.add(batch.spans));
    if (batch.traces.length) parts.push(this.traces.add(batch.traces));
    if (batch.failures.length) parts.push(this.failures.add(batch.failures));
    await Promise.all(parts);
  }

  async flush(): Promise<void> {
    await Promise.all(this.all().map((q) => q.flush()));
  }

  ready(): boolean {
    return this.all().every((q) => q.hasRoom());
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.all().map((q) => q.shutdown(this.shutdownTimeoutMs)));
  }

  private all(): RowQueue<unknown>[] {
    return [this.spans, this.traces, this.failures] as RowQueue<unknown>[];
  }
}

const lines = (rows: string[]): Buffer => Buffer.from(rows.join('\n'), 'utf8');
