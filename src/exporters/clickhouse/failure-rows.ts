import { jsonRow } from './json-row.js';
import type { Failure } from '../../model/index.js';

/**
 * A captured failure. Captures carry Version 0 so that a review status set later (a higher
 * Version) is never overwritten when the same span is delivered again.
 */
export function failureRow(failure: Failure): string {
  const columns = {
    FailureId: failure.failureId,
    TraceId: failure.traceId,
    SpanId: failure.spanId,
    ServiceName: failure.serviceName,
    AgentName: failure.agentName,
    StepType: failure.stepType,
    SpanName: failure.spanName,
    Operation: failure.operation,
    Class: failure.failureClass,
    Severity: failure.severity,
    Rule: failure.rule,
    Signature: failure.signature,
    Message: failure.message,
    Status: failure.status,
    Version: 0,
  };
  return jsonRow(columns, { Timestamp: failure.timeUnixNano });
}
