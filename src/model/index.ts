export type { AttributeValue, Attributes } from './attributes.js';
export { KeyValueList, attributeToText, emptyRecord } from './attributes.js';
export type { InstrumentationScope, Resource, Span, SpanEvent, SpanLink } from './span.js';
export {
  SPAN_KIND_NAMES,
  SPAN_KIND_WIRE_NAMES,
  STATUS_CODE_NAMES,
  STATUS_CODE_WIRE_NAMES,
  SpanKind,
  StatusCode,
  serviceNameOf,
} from './span.js';
export type { Signal, TelemetryBatch } from './batch.js';
export { batchSize, logsBatch, spansBatch } from './batch.js';
export type { LogRecord } from './log-record.js';
export { logServiceName } from './log-record.js';
export type { Evaluation, StepInfo, StepType, TokenUsage } from './step.js';
export { STEP_SCHEMA_VERSION, STEP_TYPES, effectiveModel, emptyTokenUsage } from './step.js';
export { PSEUDONYM_LENGTH, isPseudonym } from './pseudonym.js';
export type { Failure, FailureStatus, Severity } from './failure.js';
export { BUILTIN_FAILURE_CLASSES, FAILURE_STATUSES, SEVERITIES, severityRank } from './failure.js';
export type { AgentTrace, Conversation, TraceStatus, TraceStep } from './trace.js';
export type { TraceSummary } from './trace-summary.js';
export { summarizeTrace } from './trace-summary.js';
export type { StepDocument, TraceDocument } from './trace-document.js';
export { traceDocument, traceDocumentJson, traceDocumentSchema } from './trace-document.js';
