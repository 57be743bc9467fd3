import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { onDeadline, within } from '../../pipeline/deadline.js';
import { QUEUE_FULL, RetryableError, SHUTTING_DOWN } from '../../pipeline/errors.js';
import { retry, type BackoffConfig } from './retry.js';
import type { ExporterMetrics } from './metrics.js';
import type { RowQueue } from './row-queue.js';

export interface BatcherOptions<T> {
  /** Metric labels, and the name used in messages. */
  labels: { exporter: string; table: string };
  maxItems: number;
  timeoutMs: number;
  maxPending: number;
  retry: Required<BackoffConfig>;
  /** Sends one batch; the dedup token stays the same across retries of that batch. */
  send(items: T[], dedupToken: string): Promise<void>;
  metrics: ExporterMetrics;
  logger: Logger;
}

interface Batch<T> {
  items: T[];
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

/**
 * Collects items from many callers into batches (by count and by time), sends one batch at a
 * time with retries, and settles each caller's promise when its items are stored. The number
 * of items held is bounded: beyond it callers get a retryable QUEUE_FULL error at once.
 *
 * While a batch is being sent, the open batch keeps growing up to `maxItems` even when its
 * timeout passes, and goes out as soon as the sender is free: ClickHouse inserts cost much less
 * per row in large batches (chDB: ~100 µs/row at 3k rows, ~60 µs/row at 10k), so a busy sender
 * should get fewer, larger batches rather than a queue of small ones.
 */
export class Batcher<T> implements RowQueue<T> {
  private current: Batch<T> = { items: [], waiters: [] };
  private readonly ready: Batch<T>[] = [];
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The open batch's timeout has passed; it goes out when the sender is free. */
  private due = false;
  private sending: Promise<void> | undefined;
  private closed = false;
  private readonly stop = new AbortController();

  constructor(private readonly options: BatcherOptions<T>) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  add(items: T[]): Promise<void> {
    const refusal = this.refusal(items.length);
    if (refusal) return Promise.reject(refusal);
    this.pending += items.length;
    this.options.metrics.pending.set(this.options.labels, this.pending);
    const batch = this.current;
    for (const item of items) batch.items.push(item);
    const settled = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (batch.items.length >= this.options.maxItems) this.seal();
    else this.timer ??= setTimeout(() => this.onTimeout(), this.options.timeoutMs).unref();
    return settled;
  }

  hasRoom(): boolean {
    return this.refusal() === undefined;
  }

  /** Why `rows` more would be refused now: shutting down, or too many rows waiting already. */
  refusal(rows = 1): RetryableError | undefined {
    const { labels, maxPending } = this.options;
    if (this.closed)
      return new RetryableError(`${labels.exporter} is shutting down`, SHUTTING_DOWN);
    if (this.pending === 0 || this.pending + rows <= maxPending) return undefined;
    return new RetryableError(
      `${labels.exporter} has ${this.pending} ${labels.table} rows waiting for storage (limit ${maxPending}); retry later`,
      QUEUE_FULL,
      1000,
    );
  }

  /** Sends what is buffered now and waits until everything handed in so far is settled. */
  async flush(): Promise<void> {
    this.seal();
    while (this.sending) await this.sending;
  }

  /**
   * Refuses new items and flushes. Retries stop once `deadline` aborts, and shutdown returns
   * then even while an insert is still in flight (its callers are not acknowledged).
   */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const forget = onDeadline(deadline, () => this.stop.abort());
    if (!(await within(this.flush(), deadline))) {
      this.options.logger.warn(
        { rows: this.pending, table: this.options.labels.table },
        'shutdown deadline passed before these rows were stored',
      );
    }
    forget();
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.sending) this.due = true;
    else this.seal();
  }

  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    if (this.current.items.length === 0) return;
    this.ready.push(this.current);
    this.current = { items: [], waiters: [] };
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
      // The timeout may have passed between the last send and this line.
      if (this.due) this.seal();
    });
  }

  private async drain(): Promise<void> {
    for (let batch = this.ready.shift(); batch; batch = this.ready.shift() ?? this.takeDue()) {
      try {
        await this.sendWithRetry(batch.items);
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of batch.waiters) waiter.reject(error);
      } finally {
        this.pending -= batch.items.length;
        this.options.metrics.pending.set(this.options.labels, this.pending);
      }
    }
  }

  /** The open batch, if its timeout passed while the sender was busy. */
  private takeDue(): Batch<T> | undefined {
    if (!this.due || this.current.items.length === 0) return undefined;
    const batch = this.current;
    this.current = { items: [], waiters: [] };
    this.due = false;
    return batch;
  }

  private async sendWithRetry(items: T[]): Promise<void> {
    const { labels, metrics, logger } = this.options;
    const token = randomUUID();
    let attempts = 0;
    try {
      await retry(
        async () => {
          attempts++;
          const started = performance.now();
          await this.options.send(items, token);
          metrics.sendDuration.observe(labels, (performance.now() - started) / 1000);
        },
        {
          backoff: this.options.retry,
          retryable: (error) => error instanceof RetryableError,
          signal: this.stop.signal,
          onRetry: (error, attempt) => {
            metrics.retries.inc(labels);
            if (attempt === 0)
              logger.warn({ err: error, items: items.length }, 'batch delivery failed; retrying');
          },
        },
      );
    } catch (error) {
      const outcome = error instanceof RetryableError ? 'gave_up' : 'rejected';
      metrics.batches.inc({ ...labels, outcome });
      logger.error({ err: error, items: items.length, attempts }, 'batch not delivered');
      throw error;
    }
    metrics.batches.inc({ ...labels, outcome: 'success' });
    metrics.items.inc(labels, items.length);
  }
}
