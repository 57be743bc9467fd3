import { z } from 'zod';
import { byteSize, endpoint } from '../config/units.js';
import { optionalTokenValue } from '../net/auth.js';
import { httpTimeoutsShape } from '../net/config.js';
import { tlsSchema } from '../net/tls.js';

export const adminSchema = z
  .object({
    endpoint: endpoint().default('0.0.0.0:8888'),
    /** When set, /api/* requires `Authorization: Bearer <token>`; health and metrics stay open. */
    bearer_token: optionalTokenValue,
    /** Largest API request body. */
    max_request_body_size: byteSize().default(1024 * 1024),
    /** Requests to /api/* per client address: a token bucket; beyond it, 429 with Retry-After. */
    rate_limit: z
      .object({
        /** Sustained requests per second per client; 0 turns the limit off. */
        requests_per_second: z.number().min(0).default(20),
        /** Requests a client may make at once after being idle. */
        burst: z.number().int().min(1).default(40),
      })
      .strict()
      .prefault({}),
    ...httpTimeoutsShape,
    tls: tlsSchema.optional(),
  })
  .strict();

export type AdminConfig = z.infer<typeof adminSchema>;
