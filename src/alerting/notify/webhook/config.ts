import { z } from 'zod';
import { duration } from '../../../config/units.js';

/** One generic webhook, as written under `processors.alert.notifiers.webhook[]`. */
export const webhookNotifierSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /**
   * HMAC-SHA256 key: each body is signed into the `signature_header` as `sha256=<hex>`.
   * Keep it in the environment (`${env:FAULTLINE_WEBHOOK_KEY}`); empty sends unsigned.
   */
  signing_key: z.string().default(''),
  signature_header: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .default('X-Faultline-Signature'),
  /** Transitions sent: firing and resolved by default; add pending to hear of those too. */
  states: z
    .array(z.enum(['pending', 'firing', 'resolved']))
    .min(1)
    .default(['firing', 'resolved']),
  timeout: duration().default(10_000),
  /** Notifications waiting to be sent; beyond it the oldest are dropped and counted. */
  max_queue: z.number().int().min(1).max(1_000_000).default(1000),
  /** Retries of a failed send: exponential backoff with jitter, given up after max_elapsed_time. */
  retry: z
    .strictObject({
      initial_interval: duration().default(500),
      max_interval: duration().default(30_000),
      max_elapsed_time: duration().default(300_000),
    })
    .prefault({}),
  headers: z.record(z.string(), z.string()).default({}),
});

export type WebhookNotifierConfig = z.output<typeof webhookNotifierSchema>;
