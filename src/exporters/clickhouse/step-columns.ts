import { effectiveModel, severityRank, type Span } from '../../model/index.js';

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
