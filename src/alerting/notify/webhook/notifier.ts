import type { Logger } from 'pino';
import type { Alert, AlertUpdate } from '../../alert.js';
import { retry } from '../../../exporters/helper/retry.js';
import type { NotifierMetrics } from '../queue.js';
import { HttpStatusError, NotificationQueue, postJson, type AlertNotifier } from '../queue.js';
import type { WebhookNotifierConfig } from './config.js';
import { webhookBody } from './payload.js';
import { signBody } from './signature.js';

/** Client errors other than these will not succeed on a retry. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * Posts each alert transition as JSON to a URL, signed with HMAC-SHA256, retried with
 * exponential backoff and jitter until `retry.max_elapsed_time`.
 */
export class WebhookNotifier implements AlertNotifier {
  private readonly queue: NotificationQueue<string>;
  private readonly states: ReadonlySet<string>;

  constructor(
    readonly id: string,
    private readonly config: WebhookNotifierConfig,
    private readonly generatorURL: (alert: Alert) => string,
    private readonly metrics: NotifierMetrics,
    logger: Logger,
  ) {
    this.states = new Set(config.states);
    this.queue = new NotificationQueue({
      id,
      max: config.max_queue,
      batch: 1,
      send: ([body], signal) => this.sendWithRetry(body!, signal),
      metrics,
      logger,
    });
  }

  notify(update: AlertUpdate): void {
    this.queue.push(
      update.transitions
        .filter((t) => this.states.has(t.state))
        .map((t) => webhookBody(t, this.generatorURL(t.alert))),
    );
  }

  shutdown(deadline?: AbortSignal): Promise<void> {
    return this.queue.close(deadline);
  }

  private async sendWithRetry(body: string, signal: AbortSignal): Promise<void> {
    const headers = { ...this.config.headers };
    if (this.config.signing_key) {
      headers[this.config.signature_header] = signBody(this.config.signing_key, body);
    }
    try {
      await retry(() => postJson(this.config.url, body, headers, this.config.timeout, signal), {
        backoff: this.config.retry,
        retryable: (error) =>
          !(
            error instanceof HttpStatusError &&
            error.status < 500 &&
            !RETRYABLE_4XX.has(error.status)
          ),
        signal,
        onRetry: () => this.metrics.requests.inc({ notifier: this.id, outcome: 'retry' }),
      });
    } catch (error) {
      this.metrics.requests.inc({ notifier: this.id, outcome: 'error' });
      throw error;
    }
    this.metrics.requests.inc({ notifier: this.id, outcome: 'success' });
  }
}
