import {
  STEP_SCHEMA_VERSION,
  summarizeTrace,
  traceDocumentJson,
  type AgentTrace,
  type TraceSummary,
} from '../../../model/index.js';
import { NativeBlockEncoder, columnsOf } from './block.js';
import { Array_, DateTime64, Float64, Map_, String_, UInt16, UInt32, UInt64 } from './types.js';

/** A trace with what its row is computed from, once: its summary and its document's JSON. */
interface TraceRow {
  trace: AgentTrace;
  summary: TraceSummary;
  document: string;
}

function traceRow(trace: AgentTrace): TraceRow {
  const summary = summarizeTrace(trace);
  return { trace, summary, document: traceDocumentJson(trace, summary) };
}

const NANOS = DateTime64(9);

const trace = columnsOf<TraceRow>();

/**
 * `agent_traces` rows, one per emission of a trace; the highest Version wins in storage (the
 * emission covering the most spans, then the newest). The document is the JSON text it is
 * served as, written into its String column as it is (no second escaping, as JSON rows had).
 */
const TRACE_COLUMNS = [
  trace('TraceId', String_, (r) => r.trace.traceId),
  trace('Start', NANOS, (r) => r.summary.start),
  trace('End', NANOS, (r) => r.summary.end),
  trace('DurationNs', UInt64, (r) => r.summary.durationNs),
  trace('ServiceName', String_, (r) => r.summary.serviceName),
  trace('RootName', String_, (r) => r.summary.rootName),
  trace('AgentName', String_, (r) => r.summary.agentName),
  trace('SessionId', String_, (r) => r.summary.sessionId),
  trace('UserHash', String_, (r) => r.summary.userHash),
  trace('Status', String_, (r) => r.summary.status),
  trace('SpanCount', UInt32, (r) => r.summary.spanCount),
  trace('DroppedSteps', UInt32, (r) => r.trace.droppedSteps),
  trace('StepCounts', Map_(UInt32), (r) => r.summary.stepCounts as Record<string, number>),
  trace('LlmCalls', UInt32, (r) => r.summary.llmCalls),
  trace('ToolCalls', UInt32, (r) => r.summary.toolCalls),
  trace('InputTokens', UInt64, (r) => r.summary.usage.input),
  trace('OutputTokens', UInt64, (r) => r.summary.usage.output),
  trace('TotalTokens', UInt64, (r) => r.summary.usage.total),
  trace('CostUsd', Float64, (r) => r.summary.costUsd),
  trace('ErrorCount', UInt32, (r) => r.summary.errorCount),
  trace('FailureClasses', Array_(String_), (r) => r.summary.failureClasses),
  trace('RootCauseSpanId', String_, (r) => r.summary.rootCauseSpanId),
  trace('Models', Array_(String_), (r) => r.summary.models),
  trace('SchemaVersion', UInt16, () => STEP_SCHEMA_VERSION),
  trace('Document', String_, (r) => r.document),
  trace('Version', UInt64, (r) => r.trace.version),
];

/** Assembled traces → one Native block for `agent_traces`. */
export const traceBlockEncoder = (): NativeBlockEncoder<AgentTrace, TraceRow> =>
  new NativeBlockEncoder(TRACE_COLUMNS, traceRow);
