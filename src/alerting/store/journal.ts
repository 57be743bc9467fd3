import { join } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Batcher } from '../../exporters/helper/batcher.js';
import { JsonLinesEncoder } from '../../exporters/helper/encoder.js';
import { ExporterMetrics } from '../../exporters/helper/metrics.js';
import { DeadLetterFile } from '../../exporters/helper/queue/dead-letter.js';
import { DurableQueue } from '../../exporters/helper/queue/durable-queue.js';
import { QueueMetrics } from '../../exporters/helper/queue/metrics.js';
import type { RowQueue } from '../../exporters/helper/row-queue.js';
import type { Store } from '../../storage/store.js';
import { ALERTS, INCIDENTS } from '../../storage/tables.js';
import type { AlertingConfig } from '../config.js';

/** The rows one change of alerting state writes, JSONEachRow lines per table. */
export interface AlertRows {
  alerts: string[];
  incidents: string[];
}

const TABLES = ['alerts', 'incidents'] as const;
/** Alert rows are few (a handful per evaluation): small batches, sent soon. */
const BATCH_ROWS = 1000;
const BATCH_TIMEOUT_MS = 100;
const RETRY = { initial_interval: 100, max_interval: 5000, max_elapsed_time: 30_000 };
/** Without a queue directory (a processor used on its own): rows held for storage, at most. */
const MAX_PENDING_ROWS = 10_000;
/** Rows are already JSON lines; these only bound an insert and the time encoding holds the loop. */
const MAX_INSERT_BYTES = 8 * 1024 * 1024;
const ENCODE_SLICE_MS = 10;

const lines = (rows: string[]): Buffer => Buffer.from(rows.join('\n'), 'utf8');
/** The size of `lines(rows)`, without building it. */
const payloadBytes = (rows: string[]): number =>
  rows.reduce((sum, row) => sum + Buffer.byteLength(row, 'utf8') + 1, -1);

/**
 * Where alert transitions and incident changes go on their way to storage: one durable queue
 * (write-ahead log) per table, like spans, so a row is safe once `append` resolved and an
 * outage holds rows on disk (bounded by `queue.max_bytes`) instead of in memory. Without queue
 * settings, rows are batched in memory and `append` resolves once they are inserted.
 */
export class AlertJournal {
  private readonly queues: Record<(typeof TABLES)[number], RowQueue<string>>;

  constructor(
    store: Store,
    logger: Logger,
    config: AlertingConfig['queue'] | undefined,
    registry: Registry = new Registry(),
  ) {
    const metrics = ExporterMetrics.for(registry);
    const deadLetter =
      config && new DeadLetterFile(join(config.directory, 'dead-letter.jsonl'), 'alerting');
    const queue = (table: string): RowQueue<string> => {
      const common = {
        labels: { exporter: 'alerting', table },
        timeoutMs: BATCH_TIMEOUT_MS,
        retry: RETRY,
        metrics,
        logger,
      };
      if (!config || !deadLetter) {
        return new Batcher<string>({
          ...common,
          maxItems: BATCH_ROWS,
          maxPending: MAX_PENDING_ROWS,
          send: (rows, dedupToken) => store.insert(table, lines(rows), { dedupToken }),
        });
      }
      return new DurableQueue<string>({
        ...common,
        maxRows: BATCH_ROWS,
        maxAgeMs: 0,
        wal: {
          directory: join(config.directory, table),
          fsync: config.fsync,
          fsyncIntervalMs: config.fsync_interval,
          segmentBytes: config.segment_size,
          maxBytes: config.max_bytes,
          memoryBytes: config.memory_size,
        },
        maxBytes: MAX_INSERT_BYTES,
        encoder: new JsonLinesEncoder<string>({
          row: (line) => line,
          key: () => ({}),
          maxChunkBytes: MAX_INSERT_BYTES,
          sliceMs: ENCODE_SLICE_MS,
        }),
        send: (rows, dedupToken) => store.insert(table, rows, { dedupToken }),
        deadLetter,
        queueMetrics: QueueMetrics.for(registry),
      });
    };
    this.queues = { alerts: queue(ALERTS.name), incidents: queue(INCIDENTS.name) };
  }

  async start(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.start()));
  }

  /** Whether every table's queue would take its part of `rows` now (false while closing). */
  hasRoomFor(rows: AlertRows): boolean {
    return TABLES.every(
      (table) => rows[table].length === 0 || this.queues[table].hasRoom(payloadBytes(rows[table])),
    );
  }

  /** Resolves once the rows are safe (logged, or stored without a queue); rejects otherwise. */
  async append(rows: AlertRows): Promise<void> {
    await Promise.all(
      TABLES.filter((table) => rows[table].length > 0).map((table) =>
        this.queues[table].add(rows[table]),
      ),
    );
  }

  /** Sends what is queued now and waits until it is stored (or shutdown gave up). */
  async flush(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.flush()));
  }

  /** Refuses new rows, delivers until `deadline` aborts, leaves the rest in the log. */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.shutdown(deadline)));
  }
}
