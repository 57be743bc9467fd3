import { z } from 'zod';
import type { ExternalAlert } from '../alerting/service.js';

const labelSet = z.record(z.string(), z.string());
const time = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'not an RFC 3339 time');

/** Alertmanager's webhook payload, version 4 (the only version Alertmanager has sent). */
export const alertmanagerWebhookSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().default(''),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: labelSet,
        annotations: labelSet.default({}),
        startsAt: time,
        endsAt: time.optional(),
        generatorURL: z.string().default(''),
        fingerprint: z.string().default(''),
      }),
    )
    .max(10_000),
});

export type AlertmanagerWebhook = z.output<typeof alertmanagerWebhookSchema>;

/** Alertmanager writes `0001-01-01T00:00:00Z` for "no end"; that and anything before 1970 is 0. */
const ms = (text: string | undefined): number => {
  const value = text === undefined ? 0 : Date.parse(text);
  return value > 0 ? value : 0;
};

export function externalAlerts(payload: AlertmanagerWebhook): ExternalAlert[] {
  return payload.alerts.map((alert) => ({
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: ms(alert.startsAt),
    endsAt: ms(alert.endsAt),
  }));
}
