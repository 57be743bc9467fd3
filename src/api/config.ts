import { z } from 'zod';
import { byteSize, endpoint } from '../config/units.js';

export const adminSchema = z
  .object({
    endpoint: endpoint().default('0.0.0.0:8888'),
    /** When set, /api/* requires `Authorization: Bearer <token>`; health and metrics stay open. */
    bearer_token: z.string().default(''),
    /** Largest API request body. */
    max_request_body_size: byteSize().default(1024 * 1024),
  })
  .strict();

export type AdminConfig = z.infer<typeof adminSchema>;
