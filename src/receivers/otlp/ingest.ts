import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { logsBatch, spansBatch, type TelemetryBatch } from '../../model/index.js';
import type { TelemetryConsumer } from '../../pipeline/component.js';
import type { OtlpLimits } from './config.js';
import { TraceConverter, type Conversion, type LimitStats } from './convert.js';
import { LogConverter, type LogConversion } from './convert-logs.js';
import { decodeJsonRequest } from './decode.js';
import { LogProtobufDecoder } from './protobuf-logs.js';
import { TraceProtobufDecoder } from './protobuf-traces.js';
import type { ReceiverMetrics } from './metrics.js';
import type { ExportResult, Signal } from './proto.js';
import { refusalFor } from './status.js';
import { jsonEncoding, type WireEncoding } from './wire.js';

export type Transport = 'grpc' | 'http';
type EncodingName = WireEncoding['name'];

/** One request converted: what goes on, how much of it, and what was rejected. */
interface Converted {
  batch: TelemetryBatch;
  items: number;
  rejected: number;
  firstRejection: string;
  stats: LimitStats;
}

/** Each signal's decoding and the names its items go by in counters and messages. */
interface SignalIngest {
  /** Decodes and converts a request body; throws MalformedRequest on garbage. */
  convert: Record<EncodingName, (body: Buffer) => Converted>;
  accepted: Counter<'receiver' | 'transport'>;
  refused: Counter<'receiver' | 'transport' | 'reason'>;
  /** e.g. `span(s)`, for partial_success messages. */
  noun: string;
}

/**
 * The part of receiving both transports share: decode and convert a request body, hand the valid
 * spans or log records on, and wait until they are safe before the caller acknowledges.
 * Throws what `refusalFor` maps to a status code.
 */
export class Ingest {
  private readonly signals: Record<Signal, SignalIngest>;

  constructor(
    private readonly receiver: string,
    limits: OtlpLimits,
    private readonly next: TelemetryConsumer,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
  ) {
    const spans = ({ spans: decoded, ...rest }: Conversion): Converted => ({
      batch: spansBatch(decoded),
      items: decoded.length,
      ...rest,
    });
    const logs = ({ logs: decoded, ...rest }: LogConversion): Converted => ({
      batch: logsBatch(decoded),
      items: decoded.length,
      ...rest,
    });
    const protobufTraces = new TraceProtobufDecoder(limits);
    const jsonTraces = new TraceConverter(jsonEncoding, limits);
    const protobufLogs = new LogProtobufDecoder(limits);
    const jsonLogs = new LogConverter(jsonEncoding, limits);
    this.signals = {
      traces: {
        convert: {
          protobuf: (body) => spans(protobufTraces.decode(body)),
          json: (body) => spans(jsonTraces.convert(decodeJsonRequest(body))),
        },
        accepted: metrics.acceptedSpans,
        refused: metrics.refusedSpans,
        noun: 'span(s)',
      },
      logs: {
        convert: {
          protobuf: (body) => logs(protobufLogs.decode(body)),
          json: (body) => logs(jsonLogs.convert(decodeJsonRequest(body))),
        },
        accepted: metrics.acceptedLogRecords,
        refused: metrics.refusedLogRecords,
        noun: 'log record(s)',
      },
    };
  }

  async export(
    signal: Signal,
    transport: Transport,
    encoding: EncodingName,
    body: Buffer,
  ): Promise<ExportResult> {
    const labels = { receiver: this.receiver, transport };
    const { convert, accepted, refused, noun } = this.signals[signal];
    const conversion = convert[encoding](body);
    this.metrics.recordLimits(this.receiver, conversion.stats);
    if (conversion.rejected > 0) {
      refused.inc({ ...labels, reason: 'invalid' }, conversion.rejected);
    }
    if (conversion.items > 0) {
      try {
        await this.next.consume(conversion.batch);
      } catch (error) {
        const refusal = refusalFor(error);
        refused.inc({ ...labels, reason: refusal.reason }, conversion.items);
        if (refusal.reason === 'internal')
          this.logger.error({ err: error }, 'pipeline failed on a request');
        throw error;
      }
      accepted.inc(labels, conversion.items);
    }
    return {
      rejected: conversion.rejected,
      errorMessage: conversion.rejected
        ? `${conversion.rejected} ${noun} rejected; first: ${conversion.firstRejection}`
        : '',
    };
  }

  decodeFailed(transport: Transport, encoding: string): void {
    this.metrics.decodeErrors.inc({ receiver: this.receiver, transport, encoding });
  }
}
