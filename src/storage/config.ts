import { z } from 'zod';
import { duration } from '../config/units.js';
import { COMPRESSIONS } from './schema/codecs.js';
import { DEFAULT_EMBEDDED_CONNECTIONS } from './embedded-connections.js';

/** Table → how long its rows are kept; see `src/storage/lifecycle/tables.ts`. */
const retentionSchema = z
  .object({
    /** Spans (and their trace-id lookup table). Default 30d, or `storage.ttl` when that is set. */
    otel_traces: duration().optional(),
    otel_logs: duration().prefault('30d'),
    agent_traces: duration().prefault('90d'),
    failures: duration().prefault('365d'),
    failure_status_changes: duration().prefault('365d'),
    alerts: duration().prefault('365d'),
    incidents: duration().prefault('365d'),
    exports: duration().prefault('365d'),
    /** The minute roll-ups outlive the raw spans, so trends reach further back. */
    otel_traces_1m: duration().prefault('365d'),
    /** The failure roll-ups the review queue reads outlive the failures they count. */
    failure_signatures: duration().prefault('730d'),
    failure_signatures_1h: duration().prefault('730d'),
    failure_symptoms_1h: duration().prefault('730d'),
  })
  .strict();

const archiveSchema = z
  .object({
    /** Directory of the Parquet archive; empty turns archival off. */
    path: z.string().default(''),
    /** Archive a day's partition once it is this close to its expiry. */
    ahead: duration().prefault('2d'),
    /** How often the archival pass runs (also once at start-up). */
    interval: duration().prefault('24h'),
  })
  .strict();

export const storageSchema = z
  .object({
    /** `embedded`: chDB in the daemon, data under `path`. `server`: a ClickHouse server at `url`. */
    engine: z.enum(['embedded', 'server']).default('embedded'),
    path: z.string().min(1).default('./data'),
    url: z.url({ protocol: /^https?$/ }).default('http://localhost:8123'),
    username: z.string().default('default'),
    password: z.string().default(''),
    database: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)')
      .default('faultline'),
    /** Run the versioned, idempotent migrations at start-up. */
    create_schema: z.boolean().default(true),
    /**
     * Older single retention: when set (and `retention.otel_traces` is not), the retention of
     * spans. Kept so existing configs keep their meaning; prefer `retention`.
     */
    ttl: duration().prefault(0),
    /** Retention per table (0 keeps forever), applied with MODIFY TTL at every start-up. */
    retention: retentionSchema.prefault({}),
    /** A ClickHouse cluster name: DDL runs ON CLUSTER with Replicated and Distributed tables. */
    cluster: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a cluster name from remote_servers')
      .optional(),
    archive: archiveSchema.prefault({}),
    request_timeout: duration().prefault('30s'),
    /**
     * Embedded engine: the share of the memory available (the cgroup's limit, else the
     * machine's) chDB may use in all (`max_server_memory_usage`); one query gets half of it
     * (`max_memory_usage`). Beyond it a query or insert fails and is retried, not the process.
     */
    embedded_memory_percentage: z.number().min(1).max(90).default(30),
    /**
     * Embedded engine: connections to it, each running one statement at a time; more wait in
     * turn. Each running statement holds one of libuv's threads (UV_THREADPOOL_SIZE, 4 by
     * default), so keep this below that number: file I/O needs the rest.
     */
    embedded_connections: z.number().int().min(1).max(16).default(DEFAULT_EMBEDDED_CONNECTIONS),
    /** Send insert deduplication tokens (needs ClickHouse 22.2 or newer on the server engine). */
    dedup_tokens: z.boolean().default(true),
    /**
     * The columns' general-purpose codec: `lz4` (ClickHouse's default, the least CPU per insert
     * and merge) or `zstd` (the Collector's codecs, smaller parts). Applied at every start-up.
     */
    compression: z.enum(COMPRESSIONS).default('lz4'),
  })
  .strict()
  .superRefine((storage, ctx) => {
    // The engine writes the Parquet files; only the embedded one writes where the daemon is.
    if (storage.archive.path && storage.engine !== 'embedded') {
      ctx.addIssue({
        code: 'custom',
        path: ['archive', 'path'],
        message:
          'archival needs the embedded engine (a server would write the files on its own machine)',
      });
    }
    if (storage.cluster && storage.engine !== 'server') {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: 'a cluster needs the server engine (engine: server)',
      });
    }
  });

export type StorageConfig = z.infer<typeof storageSchema>;
