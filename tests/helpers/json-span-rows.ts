import {
  SPAN_KIND_NAMES,
  STATUS_CODE_NAMES,
  effectiveModel,
  serviceNameOf,
  severityRank,
  type Span,
} from '../../src/model/index.js';
import { jsonRow } from '../../src/exporters/clickhouse/json-row.js';
import { TextMaps } from '../../src/exporters/clickhouse/text-maps.js';

/**
 * The JSONEachRow rows the exporter wrote for `otel_traces` before it wrote Native blocks,
 * kept as the reference the Native encoder is tested against (same spans, same stored rows).
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

/**
 * Faultline's own `otel_traces` columns, from what the assemble and classify processors
 * attached to the span. Spans that passed neither get the columns' defaults.
 */
export function stepColumns(span: Span): Record<string, unknown> {
  const step = span.step;
  const failures = span.failures ?? [];
  const worst = failures.reduce<(typeof failures)[number] | undefined>(
    // The most severe class, for the `FailureClass` column; the first of equals.
    (found, f) => (!found || severityRank(f.severity) > severityRank(found.severity) ? f : found),
    undefined,
  );
  const columns: Record<string, unknown> = {
    FailureClass: worst?.failureClass ?? '',
    FailureClasses: [...new Set(failures.map((f) => f.failureClass))],
  };
  if (!step) return columns;
  columns.StepType = step.type;
  columns.Operation = step.operation;
  columns.AgentName = step.agentName;
  columns.Model = effectiveModel(step);
  columns.RequestModel = step.requestModel;
  columns.Provider = step.provider;
  columns.InputTokens = step.usage.input;
  columns.OutputTokens = step.usage.output;
  columns.TotalTokens = step.usage.total;
  columns.CacheReadTokens = step.usage.cacheRead;
  columns.CacheWriteTokens = step.usage.cacheWrite;
  columns.ReasoningTokens = step.usage.reasoning;
  columns.CostUsd = step.costUsd;
  columns.ToolName = step.toolName;
  columns.RetrievalDocuments = step.retrievalDocuments;
  columns.RetrievalTopScore = Number.isNaN(step.retrievalTopScore) ? 0 : step.retrievalTopScore;
  columns.SessionId = step.sessionId;
  columns.UserHash = step.userHash;
  columns.FinishReasons = step.finishReasons;
  columns.InputPreview = step.inputPreview;
  columns.OutputPreview = step.outputPreview;
  return columns;
}
