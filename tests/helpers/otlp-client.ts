import { Client, Metadata, credentials as grpcCredentials } from '@grpc/grpc-js';
import type { ChannelCredentials, ChannelOptions, ServiceError } from '@grpc/grpc-js';
import { RpcStatus, TRACE_SERVICE_PATH } from '../../src/receivers/otlp/proto.js';

/**
 * Raw OTLP clients for tests that need what an SDK exporter would never send: raw bytes over
 * gRPC (with metadata and credentials of the test's choosing), and readers of the answers.
 */

export interface GrpcAnswer {
  error: ServiceError | null;
  response: Buffer | undefined;
}

export interface GrpcCallOptions {
  credentials?: ChannelCredentials;
  /** Request metadata, e.g. `{ authorization: 'Bearer …' }`. */
  metadata?: Record<string, string>;
  channel?: ChannelOptions;
  /** The method called; TraceService/Export unless given. */
  path?: string;
}

/** One TraceService/Export call (or `options.path`) carrying `message` as is. */
export function grpcExport(
  target: string,
  message: Buffer,
  options: GrpcCallOptions = {},
): Promise<GrpcAnswer> {
  const client = new Client(
    target,
    options.credentials ?? grpcCredentials.createInsecure(),
    options.channel ?? {},
  );
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  const raw = (buffer: Buffer): Buffer => buffer;
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      options.path ?? TRACE_SERVICE_PATH,
      raw,
      raw,
      message,
      metadata,
      (error: ServiceError | null, response?: Buffer) => {
        client.close();
        resolve({ error, response });
      },
    );
  });
}

/** A google.rpc.Status body (OTLP/HTTP protobuf errors). */
export function rpcStatus(body: Buffer): { code: number; message: string } {
  const decoded = RpcStatus.toObject(RpcStatus.decode(body), { defaults: true }) as {
    code: number;
    message: string;
  };
  return { code: decoded.code, message: decoded.message };
}

/** A `{code, message}` body (OTLP/HTTP JSON errors). */
export function jsonError(body: Buffer): { code: number; message: string } {
  return JSON.parse(body.toString('utf8')) as { code: number; message: string };
}

/** The sum of a Prometheus sample over the series whose labels include `labels`. */
export function sampleSum(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const sample = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!sample || sample[1] !== name) continue;
    const seriesLabels = new Map<string, string>();
    for (const [, key, value] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      seriesLabels.set(key!, value!);
    if (Object.entries(labels).every(([key, value]) => seriesLabels.get(key) === value))
      total += Number(sample[3]);
  }
  return total;
}

/** `sampleSum` over a daemon's plain-HTTP admin /metrics. */
export async function metricSum(
  adminUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return sampleSum(await (await fetch(`${adminUrl}/metrics`)).text(), name, labels);
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format by hand, for messages no encoder would write.

export function varint(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

/** A length-delimited field (bytes, strings, messages). */
export const field = (number: number, bytes: Buffer): Buffer =>
  Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);

/** A fixed64 field (timestamps). */
export function fixed64(number: number, value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return Buffer.concat([varint((number << 3) | 1), bytes]);
}
