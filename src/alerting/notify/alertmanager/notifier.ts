import type { Logger } from 'pino';
import type { Alert, AlertUpdate } from '../../alert.js';
import type { NotifierMetrics } from '../queue.js';
import { NotificationQueue, postJson, type AlertNotifier } from '../queue.js';
import type { AlertmanagerNotifierConfig } from './config.js';
import { postableAlert, type PostableAlert } from './payload.js';

/** `endsAt` of a firing alert lies this many resend periods ahead (Prometheus uses 4). */
const VALIDITY_PERIODS = 4;

/**
 * Sends alerts to an Alertmanager with API v2, with Prometheus's rules for when: a firing
 * alert when it starts firing and again every `resend_interval`; a resolved alert at once
 * (with `endsAt` = resolution time) and again every interval while it is retained.
 */
export class AlertmanagerNotifier implements AlertNotifier {
  private readonly lastSent = new Map<string, number>();
  private readonly queue: NotificationQueue<PostableAlert>;
  private readonly endpoint: string;

  constructor(
    readonly id: string,
    private readonly config: AlertmanagerNotifierConfig,
    private readonly generatorURL: (alert: Alert) => string,
    metrics: NotifierMetrics,
    logger: Logger,
  ) {
    this.endpoint = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
    this.queue = new NotificationQueue({
      id,
      max: config.max_queue,
      batch: config.max_batch,
      send: (alerts, signal) =>
        postJson(this.endpoint, JSON.stringify(alerts), config.headers, config.timeout, signal),
      metrics,
      logger,
    });
  }

  notify(update: AlertUpdate): void {
    const now = update.timeMs;
    const validUntil =
      now + VALIDITY_PERIODS * Math.max(this.config.resend_interval, update.intervalMs);
    const due: PostableAlert[] = [];
    const seen = new Set<string>();
    for (const alert of update.active) {
      if (alert.state === 'pending') continue;
      seen.add(alert.fingerprint);
      if (!this.needsSending(alert, now)) continue;
      this.lastSent.set(alert.fingerprint, now);
      due.push(postableAlert(alert, validUntil, this.generatorURL(alert)));
    }
    for (const fingerprint of this.lastSent.keys()) {
      if (!seen.has(fingerprint)) this.lastSent.delete(fingerprint);
    }
    this.queue.push(due);
  }

  shutdown(deadline?: AbortSignal): Promise<void> {
    return this.queue.close(deadline);
  }

  private needsSending(alert: Alert, now: number): boolean {
    const last = this.lastSent.get(alert.fingerprint);
    if (last === undefined) return true;
    if (alert.resolvedAt > last) return true;
    return last + this.config.resend_interval <= now;
  }
}
