import { z } from 'zod';
import { duration } from '../config/units.js';

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
    /** Retention of stored spans; 0 keeps them forever. */
    ttl: duration().prefault(0),
    request_timeout: duration().prefault('30s'),
    /**
     * Embedded engine: the share of the memory available (the cgroup's limit, else the
     * machine's) chDB may use in all (`max_server_memory_usage`); one query gets half of it
     * (`max_memory_usage`). Beyond it a query or insert fails and is retried, not the process.
     */
    embedded_memory_percentage: z.number().min(1).max(90).default(30),
    /** Send insert deduplication tokens (needs ClickHouse 22.2 or newer on the server engine). */
    dedup_tokens: z.boolean().default(true),
  })
  .strict();

export type StorageConfig = z.infer<typeof storageSchema>;
