import { jsonRow } from './json-row.js';
import type { Failure } from '../../model/index.js';

/**
 * A captured failure. Captures carry Version 0 and each root-cause revision a higher one, so
 * a span delivered again never overwrites a revised `CausedBy`. (Review status belongs to the
 * signature, `signature_status`; a status change writes the signature's stored failures again.)
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
    CausedBy: failure.causedBy,
    CauseSignature: failure.causeSignature,
    Version: failure.revision,
  };
  return jsonRow(columns, { Timestamp: failure.timeUnixNano });
}
