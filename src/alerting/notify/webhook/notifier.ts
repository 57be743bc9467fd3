import type { Logger } from 'pino';
import type { Alert, AlertUpdate } from '../../alert.js';
import { backoffDelay, sleep } from '../../../exporters/helper/backoff.js';
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

  shutdown(timeoutMs: number): Promise<void> {
    return this.queue.close(timeoutMs);
  }

  private async sendWithRetry(body: string, signal: AbortSignal): Promise<void> {
    const headers = { ...this.config.headers };
    if (this.config.signing_key) {
      headers[this.config.signature_header] = signBody(this.config.signing_key, body);
    }
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await postJson(this.config.url, body, headers, this.config.timeout, signal);
        this.metrics.requests.inc({ notifier: this.id, outcome: 'success' });
        return;
      } catch (error) {
        const permanent =
          error instanceof HttpStatusError &&
          error.status < 500 &&
          !RETRYABLE_4XX.has(error.status);
        const delay = backoffDelay(this.config.retry, attempt);
        if (
          permanent ||
          signal.aborted ||
          Date.now() - started + delay > this.config.retry.max_elapsed_time
        ) {
          this.metrics.requests.inc({ notifier: this.id, outcome: 'error' });
          throw error;
        }
        this.metrics.requests.inc({ notifier: this.id, outcome: 'retry' });
        await sleep(delay, signal);
      }
    }
  }
}
