import { z } from 'zod';
import { byteSize, duration } from '../../config/units.js';

export const memoryLimiterConfigSchema = z
  .object({
    /** How often memory use is read. */
    check_interval: duration().prefault('1s'),
    /** Refuse data while the V8 heap in use exceeds this share of its limit (--max-old-space-size). */
    heap_limit_percentage: z.number().min(1).max(100).default(80),
    /**
     * Refuse data while the resident set (the V8 heap, buffers and the embedded engine) is over
     * this share of the memory available: the cgroup's limit in a container, else the machine's.
     */
    rss_limit_percentage: z.number().min(0).max(100).default(80),
    /** An absolute resident-set limit instead of the share; 0 uses `rss_limit_percentage`. */
    rss_limit: byteSize().prefault(0),
    /**
     * Request bytes being read, decoded and processed at once, at most; beyond it receivers
     * refuse before reading a body (503 / UNAVAILABLE). 0 turns the bound off.
     */
    max_inflight_bytes: byteSize().prefault('64MiB'),
    /** Accept again once use is this many percentage points below the limit. */
    recovery_percentage: z.number().min(0).max(50).default(5),
  })
  .strict();

export type MemoryLimiterConfig = z.infer<typeof memoryLimiterConfigSchema>;
