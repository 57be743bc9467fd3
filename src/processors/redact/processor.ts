import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { TelemetryBatch } from '../../model/index.js';
import type { ComponentSettings, Processor, TelemetryConsumer } from '../../pipeline/component.js';
import { RetryableError, SHUTTING_DOWN } from '../../pipeline/errors.js';
import type { RedactConfig } from './config.js';
import { RedactMetrics } from './metrics.js';
import { compileRedaction, type Redaction } from './redaction.js';
import { RedactionTally } from './tally.js';

/**
 * Redacts personal data and secrets in every span and log record before anything downstream sees it, then
 * hands the batch on. It must be the first processor, so that no original value reaches
 * storage, exports, logs or metric labels. It logs nothing about values, ever: only counts
 * and entity names.
 */
export class RedactProcessor implements Processor {
  private readonly redaction: Redaction;
  private readonly metrics: RedactMetrics;
  private readonly logger: Logger;
  private state: 'created' | 'running' | 'stopped' = 'created';

  constructor(
    settings: ComponentSettings<RedactConfig>,
    private readonly next: TelemetryConsumer,
  ) {
    this.redaction = compileRedaction(settings.config);
    this.metrics = RedactMetrics.for(settings.metrics);
    this.logger = settings.logger;
  }

  start(): Promise<void> {
    if (this.state === 'created') {
      this.state = 'running';
      this.logger.info({ detectors: this.redaction.entities }, 'redacting spans');
      if (this.redaction.hashKeysDropped) {
        this.logger.warn(
          'no hmac_key is set: values of hash_keys (user ids) are dropped, not pseudonymised, so users cannot be counted; set hmac_key to keep a pseudonym',
        );
      }
    }
    return Promise.resolve();
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    if (this.state !== 'running') {
      throw new RetryableError('the redact processor is not running', SHUTTING_DOWN);
    }
    const redactor = this.redaction.spans;
    batch.spans = this.redactEach(batch.spans, 'span', this.metrics.failedSpans, (span, total) =>
      redactor.redact(span, total),
    );
    if (batch.logs?.length) {
      const { failedLogRecords } = this.metrics;
      batch.logs = this.redactEach(batch.logs, 'log record', failedLogRecords, (record, total) =>
        redactor.redactLog(record, total),
      );
    }
    await this.next.consume(batch);
  }

  flush(): Promise<void> {
    return this.next.flush();
  }

  shutdown(): Promise<void> {
    this.state = 'stopped';
    return Promise.resolve();
  }

  /**
   * Redacts each item in place. An item whose redaction throws is dropped and counted, never
   * passed on half-redacted; the log line names the error type only, since a message could
   * quote the value being redacted.
   */
  private redactEach<T extends object>(
    items: T[],
    what: string,
    failedCounter: Counter,
    redact: (item: T, total: RedactionTally) => void,
  ): T[] {
    const total = new RedactionTally();
    let failed: Set<T> | undefined;
    for (const item of items) {
      try {
        redact(item, total);
      } catch (error) {
        (failed ??= new Set()).add(item);
        this.logger.error(
          { errorType: error instanceof Error ? error.name : typeof error },
          `redacting a ${what} failed; the ${what} is dropped`,
        );
      }
    }
    for (const [entity, count] of total.byEntity) this.metrics.redactions.inc({ entity }, count);
    if (!failed) return items;
    failedCounter.inc(failed.size);
    return items.filter((item) => !failed.has(item));
  }
}
