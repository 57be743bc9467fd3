import { perRegistry } from '../../telemetry/per-registry.js';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { LimitStats } from './convert.js';

/** Self-metrics of the OTLP receiver, declared in one place. */
export class ReceiverMetrics {
  readonly acceptedSpans: Counter<'receiver' | 'transport'>;
  readonly refusedSpans: Counter<'receiver' | 'transport' | 'reason'>;
  readonly acceptedLogRecords: Counter<'receiver' | 'transport'>;
  readonly refusedLogRecords: Counter<'receiver' | 'transport' | 'reason'>;
  readonly requestBytes: Histogram<'receiver' | 'transport'>;
  readonly decodeErrors: Counter<'receiver' | 'transport' | 'encoding'>;
  readonly limited: Counter<'receiver' | 'limit'>;

  /** The families for `registry`, shared by every instance of the component type. */
  static readonly for = perRegistry((registry) => new ReceiverMetrics(registry));

  private constructor(registry: Registry) {
    this.acceptedSpans = new Counter({
      name: 'faultline_receiver_accepted_spans_total',
      help: 'Spans accepted and acknowledged by a receiver.',
      labelNames: ['receiver', 'transport'],
      registers: [registry],
    });
    this.refusedSpans = new Counter({
      name: 'faultline_receiver_refused_spans_total',
      help: 'Spans a receiver did not acknowledge, by reason (invalid, malformed, queue_full, storage_unavailable, …).',
      labelNames: ['receiver', 'transport', 'reason'],
      registers: [registry],
    });
    this.acceptedLogRecords = new Counter({
      name: 'faultline_receiver_accepted_log_records_total',
      help: 'Log records accepted and acknowledged by a receiver.',
      labelNames: ['receiver', 'transport'],
      registers: [registry],
    });
    this.refusedLogRecords = new Counter({
      name: 'faultline_receiver_refused_log_records_total',
      help: 'Log records a receiver did not acknowledge, by reason (invalid, malformed, queue_full, storage_unavailable, …).',
      labelNames: ['receiver', 'transport', 'reason'],
      registers: [registry],
    });
    this.requestBytes = new Histogram({
      name: 'faultline_receiver_request_size_bytes',
      help: 'Size of OTLP request bodies as received (before decompression).',
      labelNames: ['receiver', 'transport'],
      buckets: [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216],
      registers: [registry],
    });
    this.decodeErrors = new Counter({
      name: 'faultline_receiver_decode_errors_total',
      help: 'Requests that could not be decoded.',
      labelNames: ['receiver', 'transport', 'encoding'],
      registers: [registry],
    });
    this.limited = new Counter({
      name: 'faultline_receiver_limited_total',
      help: 'Values cut by receiver limits: truncated_value, dropped_attribute, dropped_event, dropped_link, depth, truncated_array.',
      labelNames: ['receiver', 'limit'],
      registers: [registry],
    });
  }

  recordLimits(receiver: string, stats: LimitStats): void {
    if (stats.truncatedValues)
      this.limited.inc({ receiver, limit: 'truncated_value' }, stats.truncatedValues);
    if (stats.droppedAttributes)
      this.limited.inc({ receiver, limit: 'dropped_attribute' }, stats.droppedAttributes);
    if (stats.droppedEvents)
      this.limited.inc({ receiver, limit: 'dropped_event' }, stats.droppedEvents);
    if (stats.droppedLinks)
      this.limited.inc({ receiver, limit: 'dropped_link' }, stats.droppedLinks);
    if (stats.depthLimited) this.limited.inc({ receiver, limit: 'depth' }, stats.depthLimited);
    if (stats.truncatedArrays)
      this.limited.inc({ receiver, limit: 'truncated_array' }, stats.truncatedArrays);
  }
}
