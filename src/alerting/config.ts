import { z } from 'zod';
import { byteSize, duration } from '../config/units.js';

/**
 * The top-level `alerting` section: where alert transitions, incidents and alerts received
 * from Alertmanager wait (one write-ahead log per table) until storage has them.
 */
export const alertingSchema = z
  .object({
    queue: z
      .object({
        /** One sub-directory per table; give each daemon its own. */
        directory: z.string().min(1).default('./data/queue/alerting'),
        /**
         * always: fdatasync before a row counts as appended (an Alertmanager webhook is
         * answered 200 only then); interval: every fsync_interval; never.
         */
        fsync: z.enum(['always', 'interval', 'never']).default('always'),
        fsync_interval: duration().prefault('1s'),
        /** Undelivered bytes per table at most; beyond it the webhook answers 503. */
        max_bytes: byteSize().prefault('64MiB'),
        segment_size: byteSize().prefault('8MiB'),
        memory_size: byteSize().prefault('4MiB'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AlertingConfig = z.infer<typeof alertingSchema>;
