import { attributeToText, logServiceName, type LogRecord } from '../../model/index.js';
import { jsonRow } from './json-row.js';
import { TextMaps } from './text-maps.js';

/**
 * Serialises log records as JSONEachRow lines for `otel_logs`, as the Collector's ClickHouse
 * exporter fills it: the record's time, or its observed time when it has none; the body as
 * text (structured bodies as JSON); the trace flags from the low byte of `flags`.
 */
export class LogRowWriter {
  private readonly maps = new TextMaps();

  toJsonEachRow(records: readonly LogRecord[]): Buffer {
    return Buffer.from(records.map((record) => this.row(record)).join('\n'), 'utf8');
  }

  row(record: LogRecord): string {
    const columns = {
      TraceId: record.traceId,
      SpanId: record.spanId,
      TraceFlags: record.flags & 0xff,
      SeverityText: record.severityText,
      SeverityNumber: record.severityNumber,
      ServiceName: logServiceName(record),
      Body: attributeToText(record.body),
      ResourceSchemaUrl: record.resource.schemaUrl,
      ResourceAttributes: this.maps.shared(record.resource),
      ScopeSchemaUrl: record.scope.schemaUrl,
      ScopeName: record.scope.name,
      ScopeVersion: record.scope.version,
      ScopeAttributes: this.maps.shared(record.scope),
      LogAttributes: this.maps.of(record.attributes),
      EventName: record.eventName,
    };
    const time = record.timeUnixNano || record.observedTimeUnixNano;
    return jsonRow(columns, { Timestamp: time });
  }
}
