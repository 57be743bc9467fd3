import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { logsBatch, spansBatch, type TelemetryBatch } from '../../model/index.js';
import type { TelemetryConsumer } from '../../pipeline/component.js';
import { TurnBudget } from '../../pipeline/turn-budget.js';
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

/**
 * Items handed on per slice of a request. The processors run synchronously over a batch until
 * its first wait, at roughly 40 µs an item, so 256 items hold the event loop ~10 ms: a large
 * request yields between slices, and /healthz and other requests are served meanwhile.
 */
const SLICE_ITEMS = 256;

function slices<T>(items: T[], batchOf: (items: T[]) => TelemetryBatch): TelemetryBatch[] {
  if (items.length <= SLICE_ITEMS) return [batchOf(items)];
  const batches: TelemetryBatch[] = [];
  for (let at = 0; at < items.length; at += SLICE_ITEMS) {
    batches.push(batchOf(items.slice(at, at + SLICE_ITEMS)));
  }
  return batches;
}

/** One request converted: what goes on (in slices), how much of it, and what was rejected. */
interface Converted {
  batches: TelemetryBatch[];
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
  /** Requests of both transports are processed in turns, in arrival order. */
  private readonly turns = new TurnBudget();

  constructor(
    private readonly receiver: string,
    limits: OtlpLimits,
    private readonly next: TelemetryConsumer,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
  ) {
    const spans = ({ spans: decoded, ...rest }: Conversion): Converted => ({
      batches: slices(decoded, spansBatch),
      items: decoded.length,
      ...rest,
    });
    const logs = ({ logs: decoded, ...rest }: LogConversion): Converted => ({
      batches: slices(decoded, logsBatch),
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

  /**
   * Decodes `body` in its turn (`TurnBudget`) and resolves when its items are safe. The decoding
   * is kept out of the async part: a suspended async function keeps its arguments alive, and a
   * body held until the acknowledgement (hundreds of ms under load) outlives the young
   * generation.
   */
  export(
    signal: Signal,
    transport: Transport,
    encoding: EncodingName,
    body: Buffer,
  ): Promise<ExportResult> {
    const { convert } = this.signals[signal];
    return this.turns.run(() =>
      new Promise<Converted>((resolve) => resolve(convert[encoding](body))).then((conversion) =>
        this.consume(signal, transport, conversion),
      ),
    );
  }

  private async consume(
    signal: Signal,
    transport: Transport,
    conversion: Converted,
  ): Promise<ExportResult> {
    const labels = { receiver: this.receiver, transport };
    const { accepted, refused, noun } = this.signals[signal];
    this.metrics.recordLimits(this.receiver, conversion.stats);
    if (conversion.rejected > 0) {
      refused.inc({ ...labels, reason: 'invalid' }, conversion.rejected);
    }
    if (conversion.items > 0) {
      try {
        await this.consumeInSlices(conversion.batches);
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

  /**
   * Hands every slice on, yielding between them, and resolves once all are safe. A refused
   * slice fails the request: the client sends it again, and the slices already taken are
   * then duplicate deliveries, which the pipeline counts once.
   */
  private async consumeInSlices(batches: TelemetryBatch[]): Promise<void> {
    if (batches.length === 1) return this.next.consume(batches[0]!);
    let failure: { error: unknown } | undefined;
    const pending: Promise<void>[] = [];
    for (const batch of batches) {
      if (pending.length > 0) await yieldToEventLoop();
      if (failure) break;
      pending.push(
        this.next.consume(batch).catch((error: unknown) => {
          failure ??= { error };
        }),
      );
    }
    await Promise.all(pending);
    if (failure) throw failure.error;
  }

  decodeFailed(transport: Transport, encoding: string): void {
    this.metrics.decodeErrors.inc({ receiver: this.receiver, transport, encoding });
  }
}
