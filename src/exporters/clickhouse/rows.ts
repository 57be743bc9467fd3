import { SPAN_KIND_NAMES, STATUS_CODE_NAMES, serviceNameOf, type Span } from '../../model/index.js';
import { jsonRow } from './json-row.js';
import { TextMaps } from './text-maps.js';
import { stepColumns } from './step-columns.js';

/**
 * Serialises spans as JSONEachRow lines for `otel_traces`.
 */
export class SpanRowWriter {
  private readonly maps = new TextMaps();

  /** Spans as one JSONEachRow payload (the benchmarks' measure of a batch's row bytes). */
  toJsonEachRow(spans: readonly Span[]): Buffer {
    const lines = new Array<string>(spans.length);
    for (let i = 0; i < spans.length; i++) lines[i] = this.row(spans[i]!);
    return Buffer.from(lines.join('\n'), 'utf8');
  }

  /** One JSONEachRow line (no newline). */
  row(span: Span): string {
    const duration =
      span.endTimeUnixNano > span.startTimeUnixNano
        ? span.endTimeUnixNano - span.startTimeUnixNano
        : 0n;
    const events = span.events;
    const links = span.links;
    const columns = {
      TraceId: span.traceId,
      SpanId: span.spanId,
      ParentSpanId: span.parentSpanId,
      TraceState: span.traceState,
      SpanName: span.name,
      SpanKind: SPAN_KIND_NAMES[span.kind] ?? 'Unspecified',
      ServiceName: serviceNameOf(span),
      ResourceAttributes: this.maps.shared(span.resource),
      ScopeName: span.scope.name,
      ScopeVersion: span.scope.version,
      SpanAttributes: this.maps.of(span.attributes),
      Duration: duration.toString(),
      StatusCode: STATUS_CODE_NAMES[span.statusCode] ?? 'Unset',
      StatusMessage: span.statusMessage,
      'Events.Name': events.map((event) => event.name),
      'Events.Attributes': events.map((event) => this.maps.of(event.attributes)),
      'Links.TraceId': links.map((link) => link.traceId),
      'Links.SpanId': links.map((link) => link.spanId),
      'Links.TraceState': links.map((link) => link.traceState),
      'Links.Attributes': links.map((link) => this.maps.of(link.attributes)),
      SpanFlags: span.flags,
      ScopeAttributes: this.maps.shared(span.scope),
      DroppedAttributesCount: span.droppedAttributesCount,
      DroppedEventsCount: span.droppedEventsCount,
      DroppedLinksCount: span.droppedLinksCount,
      ...stepColumns(span),
    };
    return jsonRow(columns, {
      Timestamp: span.startTimeUnixNano,
      'Events.Timestamp': events.map((event) => event.timeUnixNano),
    });
  }
}
