import { z } from 'zod';
import { byteSize, duration } from '../../config/units.js';

export const memoryLimiterConfigSchema = z
  .object({
    /** How often memory use is read. */
    check_interval: duration().prefault('1s'),
    /** Refuse data while the V8 heap in use exceeds this share of its limit (--max-old-space-size). */
    heap_limit_percentage: z.number().min(1).max(100).default(80),
    /** Refuse data while the resident set exceeds this size; 0 turns the check off. */
    rss_limit: byteSize().prefault(0),
    /** Accept again once use is this many percentage points below the limit. */
    recovery_percentage: z.number().min(0).max(50).default(5),
  })
  .strict();

export type MemoryLimiterConfig = z.infer<typeof memoryLimiterConfigSchema>;
