import { join } from 'node:path';
import type { LogRecord, TelemetryBatch } from '../../model/index.js';
import type { ComponentSettings, Exporter } from '../../pipeline/component.js';
import { admissionGate, type AdmissionGate } from '../../pipeline/admission.js';
import type { RetryableError } from '../../pipeline/errors.js';
import { requireExtension } from '../../pipeline/host.js';
import { STORAGE } from '../../storage/extension.js';
import { AGENT_TRACES, FAILURES, OTEL_LOGS, OTEL_TRACES } from '../../storage/tables.js';
import { Batcher } from '../helper/batcher.js';
import { ExporterMetrics } from '../helper/metrics.js';
import { DeadLetterFile } from '../helper/queue/dead-letter.js';
import { DurableQueue } from '../helper/queue/durable-queue.js';
import { QueueMetrics } from '../helper/queue/metrics.js';
import type { RowQueue } from '../helper/row-queue.js';
import { JsonLinesEncoder, type RowEncoder } from '../helper/encoder.js';
import type { ClickhouseExporterConfig } from './config.js';
import { LogRowWriter } from './log-rows.js';
import { failureBlockEncoder } from './native/failure-columns.js';
import { spanBlockEncoder } from './native/span-columns.js';
import { traceBlockEncoder } from './native/trace-columns.js';
import { NativeRowEncoder } from './native/row-encoder.js';

/** Encoding yields to the event loop after this long, so no slice of it holds the loop longer. */
const ENCODE_SLICE_MS = 10;
/** Span rows per Native block: about 10 ms of encoding, and ~1 MB, per block. */
const SPAN_ROWS_PER_BLOCK = 1000;
/**
 * Steps of the traces in one Native block: a trace's row is made from all its steps (summary,
 * document of ~0.3–2 KB a step), ~4 µs each (bench/emit.mjs), so ~2 ms however long the
 * traces are.
 */
const TRACE_STEPS_PER_BLOCK = 500;
/** Failure rows per Native block (a few hundred bytes each). */
const FAILURE_ROWS_PER_BLOCK = 1000;

/**
 * Writes spans into `otel_traces`, assembled traces into `agent_traces`, failures into
 * `failures` and log records into `otel_logs`: each kind through its own queue, batched by
 * rows and time and retried with backoff. Spans, traces and failures travel as ClickHouse
 * Native blocks (the queue's records are the insert payload itself); log records as
 * JSONEachRow. With `queue.enabled` (the default) the queues are write-ahead logs on disk and
 * a batch is acknowledged once logged; without, once inserted.
 */
export class ClickhouseExporter implements Exporter {
  private readonly spans: RowQueue<TelemetryBatch['spans'][number]>;
  private readonly traces: RowQueue<TelemetryBatch['traces'][number]>;
  private readonly failures: RowQueue<TelemetryBatch['failures'][number]>;
  private readonly logs: RowQueue<LogRecord>;
  private readonly shutdownTimeoutMs: number;
  private readonly admission: AdmissionGate;
  private admissionChecks: (() => void)[] = [];

  constructor(settings: ComponentSettings<ClickhouseExporterConfig>) {
    const { config } = settings;
    this.admission = admissionGate(settings.metrics);
    const store = requireExtension(settings.host, STORAGE);
    this.shutdownTimeoutMs = config.shutdown_timeout;
    const logWriter = new LogRowWriter();
    const metrics = ExporterMetrics.for(settings.metrics);
    const queueDirectory = join(config.queue.directory, settings.id.replace(/[^\w.-]/g, '_'));
    const deadLetter = new DeadLetterFile(
      config.dead_letter.path ?? join(queueDirectory, 'dead-letter.jsonl'),
      settings.id,
    );
    const queueMetrics = QueueMetrics.for(settings.metrics);
    const queue = <T>(table: string, encoder: RowEncoder<T>): RowQueue<T> => {
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
          send: async (items, dedupToken) => {
            const { chunks, unencodable } = await encoder.encode(items);
            for (const [index, chunk] of chunks.entries()) {
              const token = chunks.length === 1 ? dedupToken : `${dedupToken}/${index}`;
              await store.insert(table, chunk.payload, {
                dedupToken: token,
                format: encoder.format.insert,
              });
            }
            if (unencodable.length === 0) return;
            await deadLetter.writeUnencodable(table, unencodable);
            queueMetrics.deadLetterRows.inc(
              { ...common.labels, reason: 'unserializable' },
              unencodable.length,
            );
          },
        });
      }
      return new DurableQueue<T>({
        ...common,
        maxRows: config.batch.max_rows,
        maxBytes: config.batch.max_bytes,
        maxAgeMs: config.queue.max_age,
        wal: {
          directory: join(queueDirectory, table),
          fsync: config.queue.fsync,
          fsyncIntervalMs: config.queue.fsync_interval,
          segmentBytes: config.queue.segment_size,
          maxBytes: config.queue.max_bytes,
          memoryBytes: config.queue.memory_size,
        },
        encoder,
        send: (rows, dedupToken) =>
          store.insert(table, rows, { dedupToken, format: encoder.format.insert }),
        deadLetter,
        queueMetrics,
      });
    };
    const jsonLines = <T>(row: (item: T) => string, key: (item: T) => Record<string, string>) =>
      new JsonLinesEncoder<T>({
        row,
        key,
        maxChunkBytes: config.batch.max_bytes,
        sliceMs: ENCODE_SLICE_MS,
      });
    this.spans = queue(
      OTEL_TRACES.name,
      new NativeRowEncoder({
        block: spanBlockEncoder(),
        key: (span) => ({ TraceId: span.traceId, SpanId: span.spanId }),
        maxChunkBytes: config.batch.max_bytes,
        costPerBlock: SPAN_ROWS_PER_BLOCK,
      }),
    );
    this.traces = queue(
      AGENT_TRACES.name,
      new NativeRowEncoder({
        block: traceBlockEncoder(),
        key: (trace) => ({ TraceId: trace.traceId }),
        maxChunkBytes: config.batch.max_bytes,
        costPerBlock: TRACE_STEPS_PER_BLOCK,
        cost: (trace) => trace.steps.length + 1,
      }),
    );
    this.failures = queue(
      FAILURES.name,
      new NativeRowEncoder({
        block: failureBlockEncoder(),
        key: (failure) => ({ FailureId: failure.failureId }),
        maxChunkBytes: config.batch.max_bytes,
        costPerBlock: FAILURE_ROWS_PER_BLOCK,
      }),
    );
    this.logs = queue(
      OTEL_LOGS.name,
      jsonLines(
        (record) => logWriter.row(record),
        (record) => ({ TraceId: record.traceId, SpanId: record.spanId }),
      ),
    );
  }

  /**
   * Starts the queues; from then on receivers refuse a request before reading it while a queue
   * it would write to has no room (a trace request's spans and failures, and the traces they
   * make, go to three).
   */
  async start(): Promise<void> {
    await Promise.all(this.all().map((q) => q.start()));
    const traceQueues = [this.spans, this.traces, this.failures];
    this.admissionChecks = [
      this.admission.addCheck('traces', () => firstRefusal(traceQueues)),
      this.admission.addCheck('logs', () => this.logs.refusal()),
    ];
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    const parts: Promise<void>[] = [];
    if (batch.spans.length) parts.push(this.spans.add(batch.spans));
    if (batch.traces.length) parts.push(this.traces.add(batch.traces));
    if (batch.failures.length) parts.push(this.failures.add(batch.failures));
    if (batch.logs?.length) parts.push(this.logs.add(batch.logs));
    if (batch.revisedFailures?.length) parts.push(this.failures.add(batch.revisedFailures));
    await Promise.all(parts);
  }

  async flush(): Promise<void> {
    await Promise.all(this.all().map((q) => q.flush()));
  }

  ready(): boolean {
    return this.all().every((q) => q.hasRoom());
  }

  /** Delivers until the service's deadline or this exporter's own `shutdown_timeout`, if sooner. */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    for (const remove of this.admissionChecks.splice(0)) remove();
    const own = AbortSignal.timeout(this.shutdownTimeoutMs);
    const until = deadline ? AbortSignal.any([deadline, own]) : own;
    await Promise.all(this.all().map((q) => q.shutdown(until)));
  }

  private all(): RowQueue<unknown>[] {
    return [this.spans, this.traces, this.failures, this.logs] as RowQueue<unknown>[];
  }
}

function firstRefusal(
  queues: readonly Pick<RowQueue<unknown>, 'refusal'>[],
): RetryableError | undefined {
  for (const queue of queues) {
    const refusal = queue.refusal();
    if (refusal) return refusal;
  }
  return undefined;
}
