import { z } from 'zod';
import { duration } from '../../../config/units.js';

/** One Alertmanager to notify (API v2), as written under `processors.alert.notifiers.alertmanager[]`. */
export const alertmanagerNotifierSchema = z.strictObject({
  /** Alertmanager's base URL; alerts are POSTed to `<url>/api/v2/alerts`. */
  url: z.url({ protocol: /^https?$/ }),
  /** A firing alert is sent again this often, with `endsAt` moved ahead, so it stays active. */
  resend_interval: duration().default(60_000),
  timeout: duration().default(10_000),
  /** Alerts waiting to be sent; beyond it the oldest are dropped and counted. */
  max_queue: z.number().int().min(1).max(1_000_000).default(10_000),
  /** Alerts per request. */
  max_batch: z.number().int().min(1).max(10_000).default(64),
  /** Extra request headers, e.g. Authorization (keep secrets in the environment). */
  headers: z.record(z.string(), z.string()).default({}),
});

export type AlertmanagerNotifierConfig = z.output<typeof alertmanagerNotifierSchema>;
