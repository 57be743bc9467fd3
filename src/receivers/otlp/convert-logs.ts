import type { InstrumentationScope, LogRecord, Resource } from '../../model/index.js';
import {
  OtlpConverter,
  RecordRejected,
  count,
  emptyLimitStats,
  list,
  record,
  text,
  type LimitStats,
  type Raw,
} from './convert.js';

/** The protobuf enum value names of `SeverityNumber`, as OTLP/JSON may send them. */
export const SEVERITY_NUMBER_WIRE_NAMES: readonly string[] = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level) =>
    ['', '2', '3', '4'].map((step) => `SEVERITY_NUMBER_${level}${step}`),
  ),
];

export interface LogConversion {
  logs: LogRecord[];
  rejected: number;
  /** The first rejection's reason, for OTLP `partial_success.error_message`. */
  firstRejection: string;
  stats: LimitStats;
}

/**
 * Converts one decoded ExportLogsServiceRequest into model log records, with the same limits
 * as spans. A record with an id of the wrong length or a timestamp that is not a uint64 is
 * rejected (counted for `partial_success`); ids may be empty, as a log need not belong to a span.
 */
export class LogConverter extends OtlpConverter {
  convert(request: unknown): LogConversion {
    const stats = emptyLimitStats();
    const result: LogConversion = { logs: [], rejected: 0, firstRejection: '', stats };
    const resourceLogs = list(record(request, 'the request').resourceLogs, 'resourceLogs');
    for (const rawResourceLogs of resourceLogs) {
      const rl = record(rawResourceLogs, 'resourceLogs[]');
      const resource = this.resource(rl, stats);
      for (const rawScopeLogs of list(rl.scopeLogs, 'scopeLogs')) {
        const sl = record(rawScopeLogs, 'scopeLogs[]');
        const scope = this.scope(sl, stats);
        for (const rawRecord of list(sl.logRecords, 'logRecords')) {
          try {
            result.logs.push(
              this.logRecord(record(rawRecord, 'logRecords[]'), resource, scope, stats),
            );
          } catch (error) {
            if (!(error instanceof RecordRejected)) throw error;
            if (result.rejected === 0) result.firstRejection = error.message;
            result.rejected++;
          }
        }
      }
    }
    return result;
  }

  private logRecord(
    raw: Raw,
    resource: Resource,
    scope: InstrumentationScope,
    stats: LimitStats,
  ): LogRecord {
    const traceId = this.optionalId(raw.traceId, 16, 'trace_id');
    const spanId = this.optionalId(raw.spanId, 8, 'span_id');
    const time = this.encoding.uint64(raw.timeUnixNano);
    const observed = this.encoding.uint64(raw.observedTimeUnixNano);
    if (time === null || observed === null) {
      throw new RecordRejected(
        'time_unix_nano and observed_time_unix_nano must be unsigned 64-bit integers',
      );
    }
    const { attributes, dropped } = this.boundedAttributes(raw.attributes, stats);
    return {
      timeUnixNano: time,
      observedTimeUnixNano: observed,
      severityNumber: this.enumOrZero(raw.severityNumber, SEVERITY_NUMBER_WIRE_NAMES),
      severityText: this.limitString(text(raw.severityText), stats),
      body: this.anyValue(raw.body, 1, stats),
      attributes,
      droppedAttributesCount: count(raw.droppedAttributesCount) + dropped,
      flags: count(raw.flags),
      traceId,
      spanId,
      eventName: this.limitString(text(raw.eventName), stats),
      resource,
      scope,
    };
  }

  /** An id that may be absent; all zeros counts as absent, as the OTLP spec says. */
  private optionalId(raw: unknown, bytes: number, field: string): string {
    const id = this.encoding.id(raw, bytes);
    if (id === null) throw new RecordRejected(optionalIdProblem(field, bytes));
    return /^0*$/.test(id) ? '' : id;
  }
}

/** Why an optional id of the wrong length is refused. */
export const optionalIdProblem = (field: string, bytes: number): string =>
  `${field} must be empty or ${bytes} bytes`;
