import { z } from 'zod';
import { byteSize, endpoint } from '../../config/units.js';

/** YAML `grpc:` with nothing under it means "on, with defaults", as in the Collector. */
const section = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? {} : value), schema);

export const limitsSchema = z
  .object({
    /** Attributes kept per span, event, link, resource and scope; the rest are dropped and counted. */
    max_attributes_per_span: z.number().int().min(1).default(128),
    /** String and bytes values longer than this are truncated, and counted. */
    max_attribute_value_length: z.number().int().min(16).default(16_384),
    max_events_per_span: z.number().int().min(0).default(128),
    max_links_per_span: z.number().int().min(0).default(128),
    /** Array/kvlist levels kept inside one value (a flat array is 1); deeper ones become a marker. */
    max_value_depth: z.number().int().min(1).max(64).default(8),
  })
  .strict();

export const grpcSchema = z
  .object({
    endpoint: endpoint().default('0.0.0.0:4317'),
    /** Largest request message accepted, after decompression. */
    max_recv_msg_size: byteSize().default(16 * 1024 * 1024),
  })
  .strict();

export const httpSchema = z
  .object({
    endpoint: endpoint().default('0.0.0.0:4318'),
    /** Largest request body accepted, both as sent and after decompression. */
    max_request_body_size: byteSize().default(16 * 1024 * 1024),
    cors: z
      .object({
        /** Origins allowed to export from a browser; `*` allows any. Empty turns CORS off. */
        allowed_origins: z.array(z.string().min(1)).default([]),
        /** Extra request headers browsers may send, beyond the CORS-safelisted ones. */
        allowed_headers: z.array(z.string().min(1)).default([]),
        max_age: z.number().int().min(0).default(7200),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const otlpReceiverSchema = z
  .object({
    protocols: z
      .object({
        grpc: section(grpcSchema).optional(),
        http: section(httpSchema).optional(),
      })
      .strict()
      .prefault({ grpc: {}, http: {} })
      .refine((protocols) => protocols.grpc || protocols.http, {
        message: 'enable at least one protocol (grpc or http)',
      }),
    limits: limitsSchema.prefault({}),
  })
  .strict();

export type OtlpReceiverConfig = z.infer<typeof otlpReceiverSchema>;
export type OtlpLimits = z.infer<typeof limitsSchema>;
export type GrpcConfig = z.infer<typeof grpcSchema>;
export type HttpConfig = z.infer<typeof httpSchema>;
