import { z } from 'zod';
import { byteSize, duration, endpoint } from '../../config/units.js';
import { bearerTokensSchema } from '../../net/auth.js';
import { httpTimeoutsShape } from '../../net/config.js';
import { tlsSchema } from '../../net/tls.js';

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
    /** Elements kept of one array value and entries of one kvlist value; the rest are dropped and counted. */
    max_array_elements: z.number().int().min(1).default(4096),
  })
  .strict();

export const grpcSchema = z
  .object({
    endpoint: endpoint().default('0.0.0.0:4317'),
    /** Largest request message accepted, after decompression. */
    max_recv_msg_size: byteSize().default(16 * 1024 * 1024),
    /** Calls in flight on one connection; more wait for the client's HTTP/2 flow control. */
    max_concurrent_streams: z.number().int().min(1).default(100),
    /** A connection with no call for this long is closed (GOAWAY). */
    max_connection_idle: duration().default(5 * 60_000),
    /**
     * A connection is closed after this long, once its calls finish or `max_connection_age_grace`
     * passes; this also ends calls whose message trickles in. 0 never closes on age.
     */
    max_connection_age: duration().default(0),
    max_connection_age_grace: duration().default(60_000),
    tls: tlsSchema.optional(),
  })
  .strict();

export const httpSchema = z
  .object({
    endpoint: endpoint().default('0.0.0.0:4318'),
    /** Largest request body accepted, both as sent and after decompression. */
    max_request_body_size: byteSize().default(16 * 1024 * 1024),
    ...httpTimeoutsShape,
    tls: tlsSchema.optional(),
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
    auth: z
      .object({
        /** When not empty, every request needs `Authorization: Bearer <one of these>`. */
        tokens: bearerTokensSchema,
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type OtlpReceiverConfig = z.infer<typeof otlpReceiverSchema>;
export type OtlpLimits = z.infer<typeof limitsSchema>;
export type GrpcConfig = z.infer<typeof grpcSchema>;
export type HttpConfig = z.infer<typeof httpSchema>;
