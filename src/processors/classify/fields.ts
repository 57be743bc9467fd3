import { effectiveModel, type TraceStep } from '../../model/index.js';
import type { SpanView } from './span-view.js';
import type { TraceView } from './trace-view.js';
import type { Value } from './values.js';
import { closestName } from '../../config/suggest.js';

/**
 * The keys conditions and message templates can name. In span rules a key is a span
 * attribute (`gen_ai.tool.name`, `http.response.status_code`), unless it starts with one of
 * the prefixes below; in trace rules only the trace fields exist.
 *   span.<field>       the span itself (name, status, duration, …)
 *   step.<field>       what the assemble processor understood of it (StepInfo)
 *   exception.<key>    a span attribute, else the attribute of the first `exception` event
 *   resource.<key>     a resource attribute, e.g. resource.deployment.environment
 */
export type SpanAccessor = (view: SpanView) => Value;
export type TraceAccessor = (view: TraceView) => Value;

/** OTLP span kinds and status codes by their numbers, as rules name them. */
export const SPAN_KINDS = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
] as const;
export const SPAN_STATUSES = ['unset', 'ok', 'error'] as const;
const known = (score: number | undefined) =>
  score === undefined || Number.isNaN(score) ? undefined : score;

export const SPAN_FIELDS: Readonly<Record<string, SpanAccessor>> = {
  'span.name': (v) => v.span.name,
  'span.kind': (v) => SPAN_KINDS[v.span.kind],
  'span.status': (v) => SPAN_STATUSES[v.statusCode],
  'span.status_message': (v) => v.statusMessage,
  'span.service': (v) => v.service,
  'span.duration_ms': (v) => Math.round(v.durationMs),
  /** http.response.status_code, or the older http.status_code. */
  'span.http_status': (v) => (Number.isNaN(v.httpStatus) ? undefined : v.httpStatus),
  'span.trace_id': (v) => v.span.traceId,
  'span.span_id': (v) => v.span.spanId,
  /** Status message, error.type, error.message, exception type and message, one a line. */
  'span.error': (v) => v.errorText,
  'step.type': (v) => v.stepType,
  'step.convention': (v) => v.step?.convention,
  'step.operation': (v) => v.step?.operation,
  'step.agent_name': (v) => v.step?.agentName,
  'step.model': (v) => v.step && effectiveModel(v.step),
  'step.request_model': (v) => v.step?.requestModel,
  'step.response_model': (v) => v.step?.responseModel,
  'step.provider': (v) => v.step?.provider,
  'step.input_tokens': (v) => v.step?.usage.input,
  'step.output_tokens': (v) => v.step?.usage.output,
  'step.total_tokens': (v) => v.step?.usage.total,
  'step.cost_usd': (v) => v.step?.costUsd,
  'step.tool_name': (v) => v.step?.toolName,
  'step.tool_arguments': (v) => v.step?.toolArguments,
  'step.tool_result': (v) => v.step?.toolResult,
  'step.retrieval_documents': (v) => v.step?.retrievalDocuments,
  'step.retrieval_top_score': (v) => known(v.step?.retrievalTopScore),
  'step.session_id': (v) => v.step?.sessionId,
  'step.finish_reasons': (v) => v.step?.finishReasons,
  'step.input_preview': (v) => v.step?.inputPreview,
  'step.output_preview': (v) => v.step?.outputPreview,
  /** Kinds of information the span did not carry, e.g. `model`, `token_usage`. */
  'step.gaps': (v) => v.step?.gaps,
};

/** Fields only message templates use: what the matching condition found. */
const SPAN_TEMPLATE_FIELDS: Readonly<Record<string, SpanAccessor>> = {
  'match.detail': (v) => v.detail,
};

/** Prefixes whose names must be listed above, so a typo is an error rather than never matching. */
const RESERVED_SPAN_PREFIXES = ['span.', 'step.', 'match.'];

const stepField =
  (pick: (step: TraceStep) => Value): TraceAccessor =>
  (v) => {
    const step = v.failingStep;
    return step && pick(step);
  };

export const TRACE_FIELDS: Readonly<Record<string, TraceAccessor>> = {
  'trace.id': (v) => v.trace.traceId,
  'trace.service': (v) => v.summary.serviceName,
  'trace.root_name': (v) => v.summary.rootName,
  'trace.agent_name': (v) => v.summary.agentName,
  'trace.step_count': (v) => v.trace.steps.length,
  'trace.duration_ms': (v) => Number(v.summary.durationNs) / 1e6,
  'trace.incomplete': (v) => v.trace.incomplete,
  /** The step the failure is recorded against (see each trace condition). */
  'step.name': stepField((s) => s.name),
  'step.type': stepField((s) => s.type),
  'step.operation': stepField((s) => s.operation),
  'step.tool_name': stepField((s) => s.toolName),
  'step.model': stepField((s) => s.model),
  'step.agent_name': stepField((s) => s.agentName),
  'match.count': (v) => v.match.count,
  'match.budget': (v) => v.match.budget,
  'match.tool_name': (v) => v.match.tool_name,
  'match.step_name': (v) => v.match.step_name,
};

/** How a span rule reads `key`, or undefined when the key names no field. */
export function spanAccessor(key: string, forTemplate = false): SpanAccessor | undefined {
  const field = SPAN_FIELDS[key] ?? (forTemplate ? SPAN_TEMPLATE_FIELDS[key] : undefined);
  if (field) return field;
  if (RESERVED_SPAN_PREFIXES.some((prefix) => key.startsWith(prefix))) return undefined;
  if (key.startsWith('resource.')) {
    const name = key.slice('resource.'.length);
    return (v) => v.span.resource.attributes[name];
  }
  if (key.startsWith('exception.')) return (v) => v.exceptionAttribute(key);
  return (v) => v.span.attributes[key];
}

/** Why `key` cannot be read, or undefined when it can. */
export function keyProblem(
  key: string,
  level: 'span' | 'trace',
  forTemplate = false,
): string | undefined {
  if (level === 'span') {
    if (spanAccessor(key, forTemplate)) return undefined;
    const names = Object.keys(SPAN_FIELDS).concat(
      forTemplate ? Object.keys(SPAN_TEMPLATE_FIELDS) : [],
    );
    return `unknown field "${key}"${suggestion(key, names)}`;
  }
  if (TRACE_FIELDS[key]) return undefined;
  return `unknown trace field "${key}"${suggestion(key, Object.keys(TRACE_FIELDS))}`;
}

/** ` (did you mean "x"?)` for a near miss, else the names with the same prefix. */
function suggestion(key: string, names: string[]): string {
  const best = closestName(key, names, 3);
  if (best) return ` (did you mean "${best}"?)`;
  const prefix = key.slice(0, key.indexOf('.') + 1);
  const family = names.filter((name) => prefix && name.startsWith(prefix));
  return ` (known: ${(family.length ? family : names).join(', ')})`;
}
