import {
  SPAN_KIND_NAMES,
  STATUS_CODE_NAMES,
  effectiveModel,
  serviceNameOf,
  severityRank,
  type Failure,
  type Span,
} from '../../../model/index.js';
import { NativeBlockEncoder, columnsOf } from './block.js';
import {
  Array_,
  AttributeText,
  DateTime64,
  Float64,
  Map_,
  String_,
  UInt32,
  UInt64,
} from './types.js';

const ATTRIBUTES = Map_(AttributeText);
const NANOS = DateTime64(9);
const NO_STRINGS: readonly string[] = [];

/** The most severe class of a span's failures (the first of equals), for `FailureClass`. */
function worstFailureClass(failures: readonly Failure[] | undefined): string {
  if (!failures || failures.length === 0) return '';
  let worst = failures[0]!;
  for (const failure of failures) {
    if (severityRank(failure.severity) > severityRank(worst.severity)) worst = failure;
  }
  return worst.failureClass;
}

function failureClasses(failures: readonly Failure[] | undefined): readonly string[] {
  if (!failures || failures.length === 0) return NO_STRINGS;
  return [...new Set(failures.map((f) => f.failureClass))];
}

const span = columnsOf<Span>();

/**
 * `otel_traces` rows as Native columns: the Collector exporter's columns, then Faultline's
 * step columns from what assemble and classify attached (their defaults when a span passed
 * neither). Nested `Events`/`Links` are written as their parallel arrays.
 */
export const SPAN_COLUMNS = [
  span('Timestamp', NANOS, (s) => s.startTimeUnixNano),
  span('TraceId', String_, (s) => s.traceId),
  span('SpanId', String_, (s) => s.spanId),
  span('ParentSpanId', String_, (s) => s.parentSpanId),
  span('TraceState', String_, (s) => s.traceState),
  span('SpanName', String_, (s) => s.name),
  span('SpanKind', String_, (s) => SPAN_KIND_NAMES[s.kind] ?? 'Unspecified'),
  span('ServiceName', String_, serviceNameOf),
  span('ResourceAttributes', ATTRIBUTES, (s) => s.resource.attributes),
  span('ScopeName', String_, (s) => s.scope.name),
  span('ScopeVersion', String_, (s) => s.scope.version),
  span('SpanAttributes', ATTRIBUTES, (s) => s.attributes),
  span('Duration', UInt64, (s) =>
    s.endTimeUnixNano > s.startTimeUnixNano ? s.endTimeUnixNano - s.startTimeUnixNano : 0n,
  ),
  span('StatusCode', String_, (s) => STATUS_CODE_NAMES[s.statusCode] ?? 'Unset'),
  span('StatusMessage', String_, (s) => s.statusMessage),
  span('Events.Timestamp', Array_(NANOS), (s) => s.events.map((e) => e.timeUnixNano)),
  span('Events.Name', Array_(String_), (s) => s.events.map((e) => e.name)),
  span('Events.Attributes', Array_(ATTRIBUTES), (s) => s.events.map((e) => e.attributes)),
  span('Links.TraceId', Array_(String_), (s) => s.links.map((l) => l.traceId)),
  span('Links.SpanId', Array_(String_), (s) => s.links.map((l) => l.spanId)),
  span('Links.TraceState', Array_(String_), (s) => s.links.map((l) => l.traceState)),
  span('Links.Attributes', Array_(ATTRIBUTES), (s) => s.links.map((l) => l.attributes)),
  span('SpanFlags', UInt32, (s) => s.flags),
  span('ScopeAttributes', ATTRIBUTES, (s) => s.scope.attributes),
  span('DroppedAttributesCount', UInt32, (s) => s.droppedAttributesCount),
  span('DroppedEventsCount', UInt32, (s) => s.droppedEventsCount),
  span('DroppedLinksCount', UInt32, (s) => s.droppedLinksCount),
  span('StepType', String_, (s) => s.step?.type ?? ''),
  span('Operation', String_, (s) => s.step?.operation ?? ''),
  span('AgentName', String_, (s) => s.step?.agentName ?? ''),
  span('Model', String_, (s) => (s.step ? effectiveModel(s.step) : '')),
  span('RequestModel', String_, (s) => s.step?.requestModel ?? ''),
  span('Provider', String_, (s) => s.step?.provider ?? ''),
  span('InputTokens', UInt64, (s) => s.step?.usage.input ?? 0),
  span('OutputTokens', UInt64, (s) => s.step?.usage.output ?? 0),
  span('TotalTokens', UInt64, (s) => s.step?.usage.total ?? 0),
  span('CacheReadTokens', UInt64, (s) => s.step?.usage.cacheRead ?? 0),
  span('CacheWriteTokens', UInt64, (s) => s.step?.usage.cacheWrite ?? 0),
  span('ReasoningTokens', UInt64, (s) => s.step?.usage.reasoning ?? 0),
  span('CostUsd', Float64, (s) => s.step?.costUsd ?? 0),
  span('ToolName', String_, (s) => s.step?.toolName ?? ''),
  span('RetrievalDocuments', UInt32, (s) => s.step?.retrievalDocuments ?? 0),
  span('RetrievalTopScore', Float64, (s) => {
    const score = s.step?.retrievalTopScore ?? 0;
    return Number.isNaN(score) ? 0 : score;
  }),
  span('SessionId', String_, (s) => s.step?.sessionId ?? ''),
  span('UserHash', String_, (s) => s.step?.userHash ?? ''),
  span('FinishReasons', Array_(String_), (s) => s.step?.finishReasons ?? NO_STRINGS),
  span('InputPreview', String_, (s) => s.step?.inputPreview ?? ''),
  span('OutputPreview', String_, (s) => s.step?.outputPreview ?? ''),
  span('FailureClass', String_, (s) => worstFailureClass(s.failures)),
  span('FailureClasses', Array_(String_), (s) => failureClasses(s.failures)),
];

/** Spans → one Native block for `otel_traces`. */
export const spanBlockEncoder = (): NativeBlockEncoder<Span> =>
  new NativeBlockEncoder(SPAN_COLUMNS, (span) => span);
