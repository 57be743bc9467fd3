import type { Logger } from 'pino';
import { onDeadline, within } from '../../../pipeline/deadline.js';
import { RetryableError, SHUTTING_DOWN } from '../../../pipeline/errors.js';
import { retry, sleep, type BackoffConfig } from '../retry.js';
import type { ExporterMetrics } from '../metrics.js';
import type { RowQueue } from '../row-queue.js';
import type { RowEncoder, UnencodableRow } from '../encoder.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { QueueMetrics } from './metrics.js';
import { WriteAheadLog, type LogRecord, type WalOptions } from './wal.js';
import type { InsertBody } from '../../../storage/store.js';

export interface DurableQueueOptions<T> {
  labels: { exporter: string; table: string };
  /** A batch is sent once this many rows wait… */
  maxRows: number;
  /** …or once the oldest has waited this long. */
  timeoutMs: number;
  /** Rows older than this are not sent but dead-lettered as expired; 0 keeps them forever. */
  maxAgeMs: number;
  retry: BackoffConfig;
  wal: WalOptions;
  /** An insert holds at most this many bytes (and at least one record). */
  maxBytes: number;
  /** Turns items into insert-ready chunks of its format; each chunk becomes one record. */
  encoder: RowEncoder<T>;
  /** Inserts the rows; the token is the same for every attempt at the same rows. */
  send(rows: InsertBody, dedupToken: string): Promise<void>;
  deadLetter: DeadLetterFile;
  metrics: ExporterMetrics;
  queueMetrics: QueueMetrics;
  logger: Logger;
}

/** Bisecting a refused batch stops at this fraction of it, bounding the inserts it costs. */
const BISECT_PARTS = 64;

class Stopped extends Error {}

/**
 * A queue whose items are safe once `add` resolves: they are in a write-ahead log on disk,
 * and a background sender moves them to storage in batches (by rows and time), retrying
 * transient failures with backoff and jitter for as long as it takes. Rows storage refuses for
 * good are isolated by bisecting the batch and written to the dead-letter file, so one bad row
 * neither blocks the queue nor takes its batch with it. What is not delivered by shutdown stays
 * in the log and is sent after the next start, with the same deduplication tokens.
 */
export class DurableQueue<T> implements RowQueue<T> {
  private wal: WriteAheadLog | undefined;
  private sending: Promise<void> | undefined;
  /** The batch being sent, and the one after it when it is already being prepared. */
  private current: PreparedBatch | undefined;
  private ahead: PreparedBatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushWaiters: (() => void)[] = [];
  private closing = false;
  private readonly stop = new AbortController();
  private unwatch: (() => void) | undefined;

  constructor(private readonly options: DurableQueueOptions<T>) {}

  async start(): Promise<void> {
    const { wal, replay } = await WriteAheadLog.open(this.options.wal);
    this.wal = wal;
    const { labels, queueMetrics, logger } = this.options;
    this.unwatch = queueMetrics.watch({
      labels,
      bytes: () => wal.bytes,
      rows: () => wal.rows,
      capacity: () => wal.capacity,
    });
    if (replay.corruptRecords > 0) {
      queueMetrics.corruptRecords.inc(labels, replay.corruptRecords);
      logger.warn(
        { corruptRecords: replay.corruptRecords, skippedBytes: replay.skippedBytes },
        'skipped torn or corrupt records in the durable queue',
      );
    }
    if (replay.rows > 0) {
      queueMetrics.replayedRows.inc(labels, replay.rows);
      logger.info(
        { rows: replay.rows, bytes: replay.bytes, table: labels.table },
        'replaying undelivered rows from the durable queue',
      );
      this.schedule();
    }
  }

  async add(items: T[]): Promise<void> {
    const wal = this.wal;
    if (!wal || this.closing) throw this.shuttingDown();
    const { chunks, unencodable } = await this.options.encoder.encode(items);
    try {
      await wal.appendAll(chunks);
    } finally {
      this.schedule();
    }
    // After the append: a refused append is retried by the client, and would write them again.
    if (unencodable.length > 0) await this.deadLetterUnencodable(unencodable);
  }

  hasRoom(payloadBytes?: number): boolean {
    return !this.closing && (this.wal?.hasRoom(payloadBytes) ?? false);
  }

  refusal(): RetryableError | undefined {
    if (!this.wal || this.closing) return this.shuttingDown();
    return this.wal.refusal();
  }

  private shuttingDown(): RetryableError {
    return new RetryableError(`${this.options.labels.exporter} is shutting down`, SHUTTING_DOWN);
  }

  /** Sends everything queued now and resolves once the queue is empty (or shutdown gave up). */
  flush(): Promise<void> {
    if (!this.wal?.oldest() || this.stop.signal.aborted) return Promise.resolve();
    const drained = new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    this.schedule();
    return drained;
  }

  /**
   * Refuses new items, delivers until `deadline` aborts, and leaves the rest in the log. An
   * insert still in flight at the deadline is not waited for: its records stay in the log
   * (open, so its commit can land) and are sent again after the next start with their token.
   */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const forget = onDeadline(deadline, () => this.abort());
    await this.flush();
    forget();
    this.abort();
    const idle = await within(this.sending ?? Promise.resolve(), deadline);
    this.unwatch?.();
    if (!idle) {
      this.options.logger.warn(
        { rows: this.wal?.rows ?? 0, table: this.options.labels.table },
        'shutdown deadline passed during an insert; the queue keeps its rows for the next start',
      );
      return;
    }
    const left = this.wal?.rows ?? 0;
    if (left > 0) {
      this.options.logger.warn(
        { rows: left, table: this.options.labels.table },
        'rows left in the durable queue; they are delivered after the next start',
      );
    }
    await this.wal?.close();
  }

  private abort(): void {
    clearTimeout(this.timer);
    this.stop.abort();
    this.settleFlushes();
  }

  private schedule(): void {
    if (this.stop.signal.aborted) return;
    if (this.sending) return this.prepareAhead();
    const wal = this.wal;
    const oldest = wal?.oldest();
    if (!wal || !oldest) return this.settleFlushes();
    const waited = Date.now() - oldest.appendedAt;
    if (
      this.flushWaiters.length > 0 ||
      wal.rows >= this.options.maxRows ||
      waited >= this.options.timeoutMs
    ) {
      clearTimeout(this.timer);
      this.timer = undefined;
      // Only after progress: a head record still being written is rescheduled by its append.
      this.sending = this.drain(wal).then((delivered) => {
        this.sending = undefined;
        if (delivered) this.schedule();
      });
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, this.options.timeoutMs - waited).unref();
    }
  }

  private settleFlushes(): void {
    for (const resolve of this.flushWaiters.splice(0)) resolve();
  }

  /**
   * Delivers batches while there are full or due ones; resolves whether it delivered any.
   * While one batch is inserted, the next is read back and merged as soon as it is complete
   * (`prepareAhead`), so the sender's steps on the event loop overlap the engine's work instead
   * of following it.
   */
  private async drain(wal: WriteAheadLog): Promise<boolean> {
    const { maxRows, maxBytes } = this.options;
    let delivered = false;
    try {
      for (let records = wal.peek(maxRows, maxBytes); records.length > 0;) {
        const { ahead } = this;
        this.ahead = undefined;
        const reuse = sameRecords(ahead?.records, records);
        this.current = ahead && reuse ? ahead : this.prepare(wal, records);
        this.prepareAhead();
        await this.deliver(wal, this.current);
        this.current = undefined;
        delivered = true;
        records = this.stop.signal.aborted ? [] : wal.peek(maxRows, maxBytes);
        // A partial batch waits for its timeout unless a flush is asking for everything.
        const oldest = records[0];
        if (
          oldest &&
          this.flushWaiters.length === 0 &&
          wal.rows < maxRows &&
          Date.now() - oldest.appendedAt < this.options.timeoutMs
        ) {
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof Stopped)) {
        // Prepared again on the retry: a failed preparation is not kept.
        this.ahead = undefined;
        this.options.logger.error({ err: error }, 'durable queue sender failed; retrying');
        await sleep(this.options.retry.max_interval, this.stop.signal);
        return true;
      }
    } finally {
      this.current = undefined;
      // Reads finish before the log may close.
      if (this.stop.signal.aborted) await this.ahead?.ready.catch(() => undefined);
    }
    return delivered;
  }

  /**
   * Starts reading and merging the batch after the one being sent, once that one is merged, if
   * the next is complete (no record still to come can change it) and will be sent right after
   * (a full batch's rows wait behind it, or a flush asks). At most one batch is prepared ahead.
   */
  private prepareAhead(): void {
    const { wal, current, options } = this;
    if (!wal || !current || this.ahead || this.stop.signal.aborted) return;
    const next = wal.peekAfter(current.records, options.maxRows, options.maxBytes);
    const due =
      this.flushWaiters.length > 0 || wal.rows - countRows(current.records) >= options.maxRows;
    if (next.length > 0 && due) this.ahead = this.prepare(wal, next, current.ready);
  }

  /** Reads the payloads of `records` and merges them into an insert body, after `before`. */
  private prepare(
    wal: WriteAheadLog,
    records: LogRecord[],
    before: Promise<unknown> = Promise.resolve(),
  ): PreparedBatch {
    const ready = before
      .catch(() => undefined)
      .then(async () => {
        const { readable, payloads } = await wal.payloads(records);
        const body = readable.length > 0 ? await this.options.encoder.format.body(payloads) : [];
        return { readable, payloads, body };
      });
    // Awaited by `deliver`, or dropped when the batch changed: never an unhandled rejection.
    ready.catch(() => undefined);
    return { records, ready };
  }

  private async deliver(wal: WriteAheadLog, batch: PreparedBatch): Promise<void> {
    const expired = this.expiredPrefix(batch.records);
    if (expired.length > 0) {
      const { readable, payloads } = await wal.payloads(expired);
      if (readable.length < expired.length) this.countUnreadable(expired.length - readable.length);
      if (readable.length > 0) {
        const { format } = this.options.encoder;
        await this.deadLetter(format.split(payloads), 'expired: older than queue.max_age');
      }
      await wal.commit(expired);
      return;
    }
    const { records } = batch;
    const { readable, payloads, body } = await batch.ready;
    if (readable.length < records.length) this.countUnreadable(records.length - readable.length);
    if (readable.length > 0) {
      const count = countRows(readable);
      await wal.markInFlight(records);
      await this.sendOrIsolate(payloads, count, wal.tokenFor(records), count, body);
    }
    await wal.commit(records);
  }

  private countUnreadable(records: number): void {
    const { labels, queueMetrics, logger } = this.options;
    queueMetrics.corruptRecords.inc(labels, records);
    logger.error(
      { records, table: labels.table },
      'queue records no longer readable on disk (changed after they were written); skipped',
    );
  }

  /** The leading records older than `max_age` (records are in append order). */
  private expiredPrefix(records: LogRecord[]): LogRecord[] {
    const { maxAgeMs } = this.options;
    if (maxAgeMs <= 0) return [];
    const now = Date.now();
    const fresh = records.findIndex((record) => now - record.appendedAt <= maxAgeMs);
    return records.slice(0, fresh < 0 ? records.length : fresh);
  }

  /**
   * Sends `parts` (as `body` when already merged); if storage refuses them for good, halves them
   * until the bad rows are alone.
   */
  private async sendOrIsolate(
    parts: readonly Buffer[],
    count: number,
    token: string,
    batchRows: number,
    body?: readonly Buffer[],
  ): Promise<void> {
    const { format } = this.options.encoder;
    const refusal = await this.sendWithRetry(body ?? (await format.body(parts)), count, token);
    if (!refusal) return;
    const pieces = format.split(parts);
    if (pieces.length <= Math.max(1, Math.ceil(batchRows / BISECT_PARTS))) {
      await this.deadLetter(pieces, `rejected by storage: ${refusal.message}`);
      return;
    }
    const half = pieces.length >> 1;
    const halves = [pieces.slice(0, half), pieces.slice(half)];
    for (const [index, piece] of halves.entries()) {
      await this.sendOrIsolate(piece, format.rowsIn(piece), `${token}/${index}`, batchRows);
    }
  }

  /**
   * Retries transient failures until they pass or shutdown (no time bound: the rows are safe
   * in the log); returns a permanent refusal.
   */
  private async sendWithRetry(
    rows: InsertBody,
    count: number,
    token: string,
  ): Promise<Error | undefined> {
    const { labels, metrics, logger } = this.options;
    if (this.stop.signal.aborted) throw new Stopped();
    try {
      await retry(
        async () => {
          const started = performance.now();
          await this.options.send(rows, token);
          metrics.sendDuration.observe(labels, (performance.now() - started) / 1000);
        },
        {
          backoff: { ...this.options.retry, max_elapsed_time: undefined },
          retryable: (error) => error instanceof RetryableError,
          signal: this.stop.signal,
          onRetry: (error, attempt) => {
            metrics.retries.inc(labels);
            if (attempt === 0) {
              logger.warn(
                { err: error, rows: count },
                'batch delivery failed; retrying from the queue',
              );
            }
          },
        },
      );
    } catch (error) {
      // A transient failure is final only because shutdown stopped the retries.
      if (error instanceof RetryableError) throw new Stopped();
      metrics.batches.inc({ ...labels, outcome: 'rejected' });
      logger.error({ err: error, rows: count }, 'storage refused a batch');
      return error instanceof Error ? error : new Error(String(error));
    }
    metrics.batches.inc({ ...labels, outcome: 'success' });
    metrics.items.inc(labels, count);
    return undefined;
  }

  private async deadLetterUnencodable(rows: UnencodableRow[]): Promise<void> {
    const { labels, queueMetrics, logger, deadLetter } = this.options;
    await deadLetter.writeUnencodable(labels.table, rows);
    queueMetrics.deadLetterRows.inc({ ...labels, reason: 'unserializable' }, rows.length);
    logger.error(
      { rows: rows.length, table: labels.table, reason: rows[0]!.reason, file: deadLetter.path },
      'rows that cannot be serialized written to the dead-letter file',
    );
  }

  private async deadLetter(rows: Buffer[], reason: string): Promise<void> {
    const { labels, queueMetrics, logger, deadLetter } = this.options;
    await deadLetter.write(
      labels.table,
      reason,
      rows.map((row) => this.options.encoder.format.deadLetterRow(row)),
    );
    const count = this.options.encoder.format.rowsIn(rows);
    queueMetrics.deadLetterRows.inc({ ...labels, reason: reason.split(':', 1)[0]! }, count);
    logger.error(
      { rows: count, table: labels.table, reason, file: deadLetter.path },
      'rows written to the dead-letter file',
    );
  }
}

/** A batch and its payloads read back and merged, or on their way. */
interface PreparedBatch {
  records: LogRecord[];
  ready: Promise<{ readable: LogRecord[]; payloads: Buffer[]; body: readonly Buffer[] }>;
}

const countRows = (records: LogRecord[]): number =>
  records.reduce((sum, record) => sum + record.rows, 0);

const sameRecords = (a: readonly LogRecord[] | undefined, b: readonly LogRecord[]): boolean =>
  a !== undefined && a.length === b.length && a.every((record, index) => record === b[index]);
