import { z } from 'zod';
import { FAILURE_STATUSES, SEVERITIES, STEP_TYPES } from '../model/index.js';
import { parseDuration } from '../config/units.js';

/** A time bound: RFC 3339, or a duration back from now (`1h`, `7d`); as epoch milliseconds. */
const timeBound = z.string().transform((text, context) => {
  const ago = parseDuration(text);
  if (ago !== undefined) return Date.now() - ago;
  const at = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isFinite(at)) return at;
  context.addIssue({
    code: 'custom',
    message: 'expected RFC 3339 (2026-01-31T12:00:00Z) or 1h, 7d',
  });
  return z.NEVER;
});

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const QUEUE_SORTS = ['last_seen', 'count', 'first_seen', 'severity'] as const;

/** `GET /api/v1/failures` query parameters (SPEC §10). */
export const queueQuerySchema = z.strictObject({
  since: timeBound.optional(),
  until: timeBound.optional(),
  service: z.string().min(1).max(256).optional(),
  agent: z.string().min(1).max(256).optional(),
  step_type: z.enum(STEP_TYPES).optional(),
  class: z.string().min(1).max(128).optional(),
  severity: z.enum(SEVERITIES).optional(),
  status: z.enum(FAILURE_STATUSES).optional(),
  q: z.string().min(1).max(256).optional(),
  include_symptoms: flag.default(false),
  sort: z.enum(QUEUE_SORTS).default('last_seen'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1024).optional(),
});
export type QueueQuery = z.infer<typeof queueQuerySchema>;

/** `GET /api/v1/failures/{signature}` query parameters. */
export const signatureQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1024).optional(),
});

/** A signature as classify writes it: hexadecimal. */
export const signatureSchema = z.string().regex(/^[0-9a-f]{8,64}$/, 'a signature is hexadecimal');
export const failureIdSchema = z.string().regex(/^[0-9a-f]{8,64}$/, 'a failure id is hexadecimal');

/** `PATCH /api/v1/failures/…` body. */
export const statusChangeSchema = z.strictObject({
  status: z.enum(FAILURE_STATUSES),
  note: z.string().max(4096).default(''),
});
export type StatusChange = z.infer<typeof statusChangeSchema>;

export const EXPORT_KINDS = ['eval_dataset', 'guardrails', 'runbook'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** `POST /api/v1/exports` body. */
export const exportRequestSchema = z.strictObject({
  signatures: z.array(signatureSchema).min(1).max(100),
  kind: z.enum(EXPORT_KINDS),
});
