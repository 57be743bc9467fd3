import { z } from 'zod';
import { duration } from '../../config/units.js';

export const clickhouseExporterSchema = z
  .object({
    batch: z
      .object({
        /** A batch is inserted when it holds this many spans… */
        max_rows: z.number().int().min(1).max(1_000_000).default(10_000),
        /** …or when its oldest span has waited this long. */
        timeout: duration().prefault('200ms'),
      })
      .strict()
      .prefault({}),
    /**
     * Spans waiting for insertion, at most. Beyond it, receivers refuse with a retryable
     * code (HTTP 429, gRPC RESOURCE_EXHAUSTED) rather than buffer without bound.
     */
    max_pending_rows: z.number().int().min(1).default(200_000),
    retry: z
      .object({
        initial_interval: duration().prefault('100ms'),
        max_interval: duration().prefault('5s'),
        /** Give up on a batch after this long; its senders get a retryable error. */
        max_elapsed_time: duration().prefault('30s'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ClickhouseExporterConfig = z.infer<typeof clickhouseExporterSchema>;
