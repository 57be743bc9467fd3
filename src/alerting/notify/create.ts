import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Alert } from '../alert.js';
import { AlertmanagerNotifier } from './alertmanager/notifier.js';
import { NotifierMetrics, type AlertNotifier } from './queue.js';
import { WebhookNotifier } from './webhook/notifier.js';
import type { AlertConfig } from '../../processors/alert/config.js';

/** The notifiers a config names, with ids such as `alert/alertmanager[0]` for their metrics. */
export function createNotifiers(
  processorId: string,
  config: AlertConfig,
  registry: Registry,
  logger: Logger,
): AlertNotifier[] {
  const metrics = NotifierMetrics.for(registry);
  const base = config.external_url.replace(/\/+$/, '');
  const generatorURL = (alert: Alert) =>
    base ? `${base}/api/v1/alerts?alertname=${encodeURIComponent(alert.name)}` : '';
  return [
    ...config.notifiers.alertmanager.map(
      (c, i) =>
        new AlertmanagerNotifier(
          `${processorId}/alertmanager[${i}]`,
          c,
          generatorURL,
          metrics,
          logger,
        ),
    ),
    ...config.notifiers.webhook.map(
      (c, i) =>
        new WebhookNotifier(`${processorId}/webhook[${i}]`, c, generatorURL, metrics, logger),
    ),
  ];
}
