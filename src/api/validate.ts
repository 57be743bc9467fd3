import type { z } from 'zod';
import { ApiError } from './respond.js';

/** Parses API input with `schema`; the first problem becomes a 400 naming its field. */
export function validate<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message;
  throw new ApiError(400, 'invalid_request', `${issue.path.join('.') || what}: ${message}`);
}
