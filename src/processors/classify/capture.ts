import type { Failure } from '../../model/index.js';
import type { CompiledRule } from './rule-set.js';
import { failureId, failureSignature } from './signature.js';
import type { SpanView } from './span-view.js';
import type { TraceView } from './trace-view.js';

/** Where a failure was found: the fields of a Failure that come from the span or step. */
type Place = Pick<
  Failure,
  | 'traceId'
  | 'spanId'
  | 'timeUnixNano'
  | 'serviceName'
  | 'agentName'
  | 'stepType'
  | 'spanName'
  | 'operation'
>;

/** A failure of `rule` at `place`, with its id and signature. */
function failureAt<View>(place: Place, rule: CompiledRule<View>, message: string): Failure {
  return {
    ...place,
    failureId: failureId(place.traceId, place.spanId, rule.id, rule.failureClass),
    failureClass: rule.failureClass,
    severity: rule.severity,
    rule: rule.id,
    signature: failureSignature({
      service: place.serviceName,
      stepType: place.stepType,
      operation: place.operation,
      failureClass: rule.failureClass,
      message,
    }),
    message,
    status: 'new',
    causedBy: '',
    causeSignature: '',
    revision: 0,
  };
}

/** The failure a span rule found on the span in `view`. */
export function spanFailure(
  view: SpanView,
  rule: CompiledRule<SpanView>,
  message: string,
): Failure {
  const { span, step } = view;
  const place: Place = {
    traceId: span.traceId,
    spanId: span.spanId,
    timeUnixNano: span.endTimeUnixNano,
    serviceName: view.service,
    agentName: step?.agentName ?? '',
    stepType: view.stepType,
    spanName: span.name,
    operation: step?.toolName || step?.operation || span.name,
  };
  return failureAt(place, rule, message);
}

/**
 * The failure a trace rule found in the trace in `view`, recorded against the step its
 * conditions pointed at (else the root) and the trace's root service.
 */
export function traceFailure(
  view: TraceView,
  rule: CompiledRule<TraceView>,
  message: string,
): Failure {
  const { trace, summary } = view;
  const step = view.failingStep;
  const place: Place = {
    traceId: trace.traceId,
    spanId: step?.spanId ?? '',
    timeUnixNano: step?.endTimeUnixNano ?? summary.end,
    serviceName: summary.serviceName || step?.serviceName || '',
    agentName: step?.agentName || summary.agentName,
    stepType: step?.type ?? 'span',
    spanName: step?.name ?? '',
    operation: step ? step.toolName || step.operation || step.name : '',
  };
  return failureAt(place, rule, message);
}
