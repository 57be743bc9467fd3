import { z } from 'zod';
import { alertingSchema } from '../alerting/config.js';
import { adminSchema } from '../api/config.js';
import { duration } from './units.js';
import { storageSchema } from '../storage/config.js';

const componentTable = z.record(z.string().min(1), z.unknown());

export const serviceSchema = z
  .object({
    pipelines: z
      .object({
        traces: z
          .object({
            receivers: z.array(z.string()).min(1, 'list at least one receiver'),
            processors: z.array(z.string()).default([]),
            exporters: z.array(z.string()).min(1, 'list at least one exporter'),
          })
          .strict(),
      })
      .strict(),
    /**
     * Bounds the whole stop on SIGTERM/SIGINT: every component gets this deadline, and the
     * process exits by then; undelivered rows stay in the durable queue for the next start.
     */
    shutdown_timeout: duration().prefault('30s'),
    telemetry: z
      .object({
        logs: z
          .object({
            level: z
              .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
              .default('info'),
            /** `auto`: human-readable, coloured lines on a terminal, JSON lines otherwise. */
            format: z.enum(['auto', 'json', 'pretty']).default('auto'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The whole file; each component's own section is validated by its factory's schema. */
export const rootSchema = z
  .object({
    receivers: componentTable.default({}),
    processors: componentTable.default({}),
    exporters: componentTable.default({}),
    storage: storageSchema.prefault({}),
    admin: adminSchema.prefault({}),
    alerting: alertingSchema.prefault({}),
    service: serviceSchema,
  })
  .strict();

export type RootConfig = z.infer<typeof rootSchema>;
