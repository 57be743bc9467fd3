import { jsonRow } from './json-row.js';
import { summarizeTrace, traceDocument, type AgentTrace } from '../../model/index.js';

/**
 * One `agent_traces` row per emission of a trace; the highest Version wins in storage (the
 * emission covering the most spans, then the newest).
 */
export function traceRow(trace: AgentTrace): string {
  const summary = summarizeTrace(trace);
  const document = traceDocument(trace, summary);
  const columns = {
    TraceId: trace.traceId,
    DurationNs: summary.durationNs.toString(),
    ServiceName: summary.serviceName,
    RootName: summary.rootName,
    AgentName: summary.agentName,
    SessionId: summary.sessionId,
    UserHash: summary.userHash,
    Status: summary.status,
    SpanCount: summary.spanCount,
    DroppedSteps: trace.droppedSteps,
    StepCounts: summary.stepCounts,
    LlmCalls: summary.llmCalls,
    ToolCalls: summary.toolCalls,
    InputTokens: summary.usage.input,
    OutputTokens: summary.usage.output,
    TotalTokens: summary.usage.total,
    CostUsd: summary.costUsd,
    ErrorCount: summary.errorCount,
    FailureClasses: summary.failureClasses,
    RootCauseSpanId: summary.rootCauseSpanId,
    Models: summary.models,
    SchemaVersion: document.schema_version,
    Document: JSON.stringify(document),
    Version: trace.version,
  };
  return jsonRow(columns, { Start: summary.start, End: summary.end });
}
