import { z } from 'zod';
import { byteSize, duration } from '../../config/units.js';

export const clickhouseExporterSchema = z
  .object({
    batch: z
      .object({
        /** A batch is inserted when it holds this many spans… */
        max_rows: z.number().int().min(1).max(1_000_000).default(10_000),
        /**
         * …or when its oldest span has waited this long. About one insert a second per table,
         * as ClickHouse advises: every insert makes a part (and one per materialized view) to be
         * merged later, and below max_rows the merges cost more than the inserts.
         */
        timeout: duration().prefault('1s'),
        /**
         * Bytes of one insert at most (a single larger row goes alone). Rows are also serialised
         * in chunks of this size, so a batch is never one string beyond it.
         */
        max_bytes: byteSize().prefault('32MiB'),
      })
      .strict()
      .prefault({}),
    /**
     * With the queue off: rows waiting for insertion, at most. Beyond it, receivers refuse
     * with a retryable code (HTTP 429, gRPC RESOURCE_EXHAUSTED) rather than buffer without bound.
     */
    max_pending_rows: z.number().int().min(1).default(200_000),
    /** The durable queue (write-ahead log) between the pipeline and ClickHouse. */
    queue: z
      .object({
        /** On: spans are acknowledged once in the log. Off: once inserted (nothing on disk). */
        enabled: z.boolean().default(true),
        /** One sub-directory per exporter and table; give each daemon its own. */
        directory: z.string().min(1).default('./data/queue'),
        /** always: fdatasync before acknowledging; interval: every fsync_interval; never. */
        fsync: z.enum(['always', 'interval', 'never']).default('interval'),
        fsync_interval: duration().prefault('1s'),
        /** Undelivered bytes per table at most; beyond it receivers push back (429). */
        max_bytes: byteSize().prefault('1GiB'),
        /** Undelivered rows older than this go to the dead-letter file; 0 keeps them forever. */
        max_age: duration().prefault('0s'),
        segment_size: byteSize().prefault('64MiB'),
        /** Undelivered payloads kept in memory too, so the sender need not read them back. */
        memory_size: byteSize().prefault('64MiB'),
      })
      .strict()
      .prefault({}),
    /** Rows ClickHouse refuses for good (or expired ones), one JSON line each. */
    dead_letter: z
      .object({ path: z.string().min(1).optional() })
      .strict()
      .prefault({}),
    /** How long shutdown keeps delivering; what is left stays in the queue for the next start. */
    shutdown_timeout: duration().prefault('10s'),
    retry: z
      .object({
        initial_interval: duration().prefault('100ms'),
        max_interval: duration().prefault('5s'),
        /**
         * With the queue off, give up on a batch after this long (its senders get a retryable
         * error). The durable queue retries until storage is back.
         */
        max_elapsed_time: duration().prefault('30s'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ClickhouseExporterConfig = z.infer<typeof clickhouseExporterSchema>;
