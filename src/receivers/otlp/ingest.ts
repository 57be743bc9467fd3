import type { Logger } from 'pino';
import { spansBatch } from '../../model/index.js';
import type { TelemetryConsumer } from '../../pipeline/component.js';
import type { DecodeBounds } from './bounded-decode.js';
import type { OtlpLimits } from './config.js';
import { TraceConverter } from './convert.js';
import { decodeBounds } from './decode.js';
import type { ReceiverMetrics } from './metrics.js';
import type { ExportResult } from './proto.js';
import { refusalFor } from './status.js';
import { jsonEncoding, protobufEncoding, type WireEncoding } from './wire.js';

export type Transport = 'grpc' | 'http';

/**
 * The part of receiving both transports share: convert a decoded request, hand the valid
 * spans on, and wait until they are safe before the caller acknowledges. Throws what
 * `refusalFor` maps to a status code.
 */
export class Ingest {
  private readonly converters: Record<WireEncoding['name'], TraceConverter>;
  /** What protobuf decoding keeps: no more than the converter will. */
  readonly bounds: DecodeBounds;

  constructor(
    private readonly receiver: string,
    limits: OtlpLimits,
    private readonly next: TelemetryConsumer,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
  ) {
    this.bounds = decodeBounds(limits);
    this.converters = {
      protobuf: new TraceConverter(protobufEncoding, limits),
      json: new TraceConverter(jsonEncoding, limits),
    };
  }

  async export(
    transport: Transport,
    encoding: WireEncoding['name'],
    request: unknown,
  ): Promise<ExportResult> {
    const labels = { receiver: this.receiver, transport };
    const conversion = this.converters[encoding].convert(request);
    this.metrics.recordLimits(this.receiver, conversion.stats);
    if (conversion.rejected > 0) {
      this.metrics.refusedSpans.inc({ ...labels, reason: 'invalid' }, conversion.rejected);
    }
    if (conversion.spans.length > 0) {
      try {
        await this.next.consume(spansBatch(conversion.spans));
      } catch (error) {
        const refusal = refusalFor(error);
        this.metrics.refusedSpans.inc(
          { ...labels, reason: refusal.reason },
          conversion.spans.length,
        );
        if (refusal.reason === 'internal')
          this.logger.error({ err: error }, 'pipeline failed on a request');
        throw error;
      }
      this.metrics.acceptedSpans.inc(labels, conversion.spans.length);
    }
    return {
      rejectedSpans: conversion.rejected,
      errorMessage: conversion.rejected
        ? `${conversion.rejected} span(s) rejected; first: ${conversion.firstRejection}`
        : '',
    };
  }

  decodeFailed(transport: Transport, encoding: string): void {
    this.metrics.decodeErrors.inc({ receiver: this.receiver, transport, encoding });
  }
}
