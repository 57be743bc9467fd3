import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { AlertUpdate } from '../alert.js';
import { onDeadline } from '../../pipeline/deadline.js';
import { perRegistry } from '../../telemetry/per-registry.js';

/**
 * Where an evaluation's alerts go. `notify` never blocks and never throws: a notifier that is
 * down must not hold up ingestion, so each one queues (bounded) and sends in the background.
 */
export interface AlertNotifier {
  readonly id: string;
  notify(update: AlertUpdate): void;
  /** Sends what is queued until `deadline` aborts, then stops. */
  shutdown(deadline?: AbortSignal): Promise<void>;
}

/** Send results of every notifier, declared once. */
export class NotifierMetrics {
  readonly notifications: Counter<'notifier' | 'outcome'>;
  readonly requests: Counter<'notifier' | 'outcome'>;
  readonly queued: Gauge<'notifier'>;

  static readonly for = perRegistry((registry) => new NotifierMetrics(registry));

  private constructor(registry: Registry) {
    this.notifications = new Counter({
      name: 'faultline_notifications_total',
      help: 'Alert notifications by notifier and outcome (sent, failed, dropped when the queue was full).',
      labelNames: ['notifier', 'outcome'],
      registers: [registry],
    });
    this.requests = new Counter({
      name: 'faultline_notification_requests_total',
      help: 'HTTP requests notifiers made, by outcome (success, error, retry).',
      labelNames: ['notifier', 'outcome'],
      registers: [registry],
    });
    this.queued = new Gauge({
      name: 'faultline_notification_queue_length',
      help: 'Notifications waiting to be sent.',
      labelNames: ['notifier'],
      registers: [registry],
    });
  }
}

/**
 * A bounded queue with one background sender: beyond `max` items the oldest are dropped and
 * counted (one log line per burst of drops), `send` takes up to `batch` items at a time.
 */
export class NotificationQueue<T> {
  private readonly items: T[] = [];
  private draining: Promise<void> | undefined;
  private dropWarned = false;
  readonly stop = new AbortController();

  constructor(
    private readonly options: {
      id: string;
      max: number;
      batch: number;
      send: (items: T[], signal: AbortSignal) => Promise<void>;
      metrics: NotifierMetrics;
      logger: Logger;
    },
  ) {}

  push(items: readonly T[]): void {
    if (this.stop.signal.aborted || items.length === 0) return;
    this.items.push(...items);
    const over = this.items.length - this.options.max;
    if (over > 0) {
      this.items.splice(0, over);
      this.options.metrics.notifications.inc(
        { notifier: this.options.id, outcome: 'dropped' },
        over,
      );
      if (!this.dropWarned) {
        this.dropWarned = true;
        this.options.logger.warn(
          { notifier: this.options.id, max: this.options.max },
          'notification queue full; dropping the oldest (counted in faultline_notifications_total{outcome="dropped"})',
        );
      }
    }
    this.gauge();
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Waits for the queue to empty until `deadline` aborts, then aborts what is in flight. */
  async close(deadline?: AbortSignal): Promise<void> {
    const forget = onDeadline(deadline, () => this.stop.abort());
    while (this.draining) await this.draining;
    forget();
    this.stop.abort();
  }

  private async drain(): Promise<void> {
    while (this.items.length > 0 && !this.stop.signal.aborted) {
      const batch = this.items.splice(0, this.options.batch);
      this.gauge();
      try {
        await this.options.send(batch, this.stop.signal);
        this.options.metrics.notifications.inc(
          { notifier: this.options.id, outcome: 'sent' },
          batch.length,
        );
        this.dropWarned = false;
      } catch (error) {
        this.options.metrics.notifications.inc(
          { notifier: this.options.id, outcome: 'failed' },
          batch.length,
        );
        this.options.logger.warn(
          {
            notifier: this.options.id,
            err: error instanceof Error ? error.message : String(error),
          },
          'alert notification failed',
        );
      }
    }
  }

  private gauge(): void {
    this.options.metrics.queued.set({ notifier: this.options.id }, this.items.length);
  }
}

/** POSTs JSON with a timeout; resolves on 2xx, throws with the status and body otherwise. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new HttpStatusError(
      response.status,
      `${url} answered ${response.status}: ${text.slice(0, 200)}`,
    );
  }
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}
