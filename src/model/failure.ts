import type { StepType } from './step.js';

/** Built-in failure classes (SPEC §5.3); user rules may name their own classes too. */
export const BUILTIN_FAILURE_CLASSES = [
  'exception',
  'error_status',
  'timeout',
  'rate_limited',
  'provider_error',
  'context_length_exceeded',
  'content_filtered',
  'refusal',
  'tool_error',
  'invalid_tool_arguments',
  'validation_error',
  'hallucination',
  'low_quality',
  'guardrail_blocked',
  'agent_loop',
  'max_steps',
  'empty_output',
  'retrieval_empty',
  'http_5xx',
  'http_4xx',
] as const;

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * One severity order, higher meaning more severe: low 1 … critical 4. A severity Faultline does
 * not know (an Alertmanager alert may carry any) ranks 0, below all.
 */
export function severityRank(severity: string): number {
  const index = (SEVERITIES as readonly string[]).indexOf(severity);
  return index < 0 ? 0 : SEVERITIES.length - index;
}

export const FAILURE_STATUSES = ['new', 'triaged', 'ready', 'exported', 'ignored'] as const;
export type FailureStatus = (typeof FAILURE_STATUSES)[number];

/** One classified failure: of a span (span-level rules) or of a whole trace (trace-level rules). */
export interface Failure {
  /** Stable across re-delivery of the same span: hash of trace, span, rule and class. */
  failureId: string;
  timeUnixNano: bigint;
  traceId: string;
  spanId: string;
  serviceName: string;
  agentName: string;
  stepType: StepType;
  spanName: string;
  /** Tool or operation name, part of the signature. */
  operation: string;
  failureClass: string;
  severity: Severity;
  /** The rule that matched, e.g. `builtin.tool_error`. */
  rule: string;
  /** Stable across recurrences: service, step type, operation, class and normalised message. */
  signature: string;
  message: string;
  status: FailureStatus;
  /**
   * The root-cause failure this one is a symptom of (an error that propagated up from a
   * descendant step), `''` for a root cause (SPEC §5.3).
   */
  causedBy: string;
  /** The signature of `causedBy`'s failure, `''` for a root cause: symptoms counted per cause. */
  causeSignature: string;
  /** 0 when captured; raised each time root-cause analysis revises `causedBy`. */
  revision: number;
}
