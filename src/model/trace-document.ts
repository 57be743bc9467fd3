import { z } from 'zod';
import type { Failure } from './failure.js';
import { STEP_SCHEMA_VERSION, STEP_TYPES, type TokenUsage } from './step.js';
import type { AgentTrace, TraceStep } from './trace.js';
import type { TraceSummary } from './trace-summary.js';

/**
 * The agent trace document the API serves and `agent_traces.Document` stores. Readers rely on
 * it: change it only by adding optional fields; anything else needs a new schema_version.
 * `docs/schema/agent-trace.v1.json` is generated from this schema (npm run schema), with every
 * object open to additional properties, so readers keep working when optional fields are added.
 * 64-bit numbers (timestamps, durations) are decimal strings, as in OTLP/JSON.
 */
const nanos = z.string().regex(/^\d+$/).describe('nanoseconds, as a decimal string');

export const failureDocumentSchema = z.object({
  failure_id: z.string(),
  class: z.string(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  signature: z.string(),
  message: z.string(),
  rule: z.string(),
  span_id: z.string(),
  /** The root-cause failure this one is a symptom of; absent for a root cause. */
  caused_by: z.string().optional(),
});

export const usageDocumentSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  cache_read_tokens: z.number().int().nonnegative(),
  cache_write_tokens: z.number().int().nonnegative(),
  reasoning_tokens: z.number().int().nonnegative(),
});

export interface StepDocument {
  span_id: string;
  parent_span_id: string;
  name: string;
  type: (typeof STEP_TYPES)[number];
  service_name: string;
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  duration_ns: string;
  status: { code: 'unset' | 'ok' | 'error'; message: string };
  operation: string;
  model: string;
  tool_name: string;
  usage: z.infer<typeof usageDocumentSchema>;
  cost_usd: number;
  output_preview: string;
  failures: z.infer<typeof failureDocumentSchema>[];
  /** Present on a step no span stands for (see `derived` on TraceStep). */
  derived?: true;
  children: StepDocument[];
}

export const stepDocumentSchema = z
  .object({
    span_id: z.string(),
    parent_span_id: z.string(),
    name: z.string(),
    type: z.enum(STEP_TYPES),
    service_name: z.string(),
    start_time_unix_nano: nanos,
    end_time_unix_nano: nanos,
    duration_ns: nanos,
    status: z.object({ code: z.enum(['unset', 'ok', 'error']), message: z.string() }),
    operation: z.string(),
    model: z.string(),
    tool_name: z.string(),
    usage: usageDocumentSchema,
    cost_usd: z.number().nonnegative(),
    output_preview: z.string(),
    failures: z.array(failureDocumentSchema),
    derived: z.literal(true).optional().meta({
      description:
        "Present on a step no span stands for (the user_input and final_output steps made from the root agent's messages); its span_id is the root's with the step type appended.",
    }),
    get children(): z.ZodArray<z.ZodType<StepDocument>> {
      return z.array(stepDocumentSchema);
    },
  })
  .meta({
    id: 'Step',
    description: 'One step of the trace (a span, unless derived), with its children.',
  });

export const traceDocumentSchema = z.object({
  schema_version: z.literal(STEP_SCHEMA_VERSION),
  trace_id: z.string().regex(/^[0-9a-f]{32}$/),
  status: z.enum(['ok', 'failed', 'incomplete']),
  start_time_unix_nano: nanos,
  end_time_unix_nano: nanos,
  duration_ns: nanos,
  service_name: z.string(),
  root_name: z.string(),
  agent_name: z.string(),
  session_id: z.string(),
  user_hash: z.string(),
  span_count: z.number().int().nonnegative(),
  step_counts: z.record(z.string(), z.number().int().nonnegative()),
  llm_calls: z.number().int().nonnegative(),
  tool_calls: z.number().int().nonnegative(),
  usage: usageDocumentSchema,
  cost_usd: z.number().nonnegative(),
  error_count: z.number().int().nonnegative(),
  failure_classes: z.array(z.string()),
  root_cause_span_id: z.string(),
  models: z.array(z.string()),
  /** Trace-level failures (loops, step budgets, empty output); span failures sit on their steps. */
  failures: z.array(failureDocumentSchema),
  steps: z.array(stepDocumentSchema),
  version: z.number().int().nonnegative(),
});

export type TraceDocument = z.infer<typeof traceDocumentSchema>;

const STATUS_NAMES = ['unset', 'ok', 'error'] as const;

function failureDocument(failure: Failure): z.infer<typeof failureDocumentSchema> {
  return {
    failure_id: failure.failureId,
    class: failure.failureClass,
    severity: failure.severity,
    signature: failure.signature,
    message: failure.message,
    rule: failure.rule,
    span_id: failure.spanId,
    ...(failure.causedBy ? { caused_by: failure.causedBy } : {}),
  };
}

function usageDocument(usage: TokenUsage): z.infer<typeof usageDocumentSchema> {
  return {
    input_tokens: usage.input,
    output_tokens: usage.output,
    total_tokens: usage.total,
    cache_read_tokens: usage.cacheRead,
    cache_write_tokens: usage.cacheWrite,
    reasoning_tokens: usage.reasoning,
  };
}

function stepDocument(step: TraceStep): StepDocument {
  const duration =
    step.endTimeUnixNano > step.startTimeUnixNano
      ? step.endTimeUnixNano - step.startTimeUnixNano
      : 0n;
  return {
    span_id: step.spanId,
    parent_span_id: step.parentSpanId,
    name: step.name,
    type: step.type,
    service_name: step.serviceName,
    start_time_unix_nano: step.startTimeUnixNano.toString(),
    end_time_unix_nano: step.endTimeUnixNano.toString(),
    duration_ns: duration.toString(),
    status: { code: STATUS_NAMES[step.statusCode] ?? 'unset', message: step.statusMessage },
    operation: step.operation,
    model: step.model,
    tool_name: step.toolName,
    usage: usageDocument(step.usage),
    cost_usd: step.costUsd,
    output_preview: step.outputPreview,
    failures: step.failures.map(failureDocument),
    ...(step.derived ? { derived: true as const } : {}),
    children: [],
  };
}

/**
 * `JSON.stringify` recurses once per level of the step tree, and ran out of stack on a chain of
 * ~2,100 steps (`max_steps_per_trace` is 5,000): the row was dead-lettered as unserializable.
 * A trace of up to this many steps cannot be that deep, and is written in one call.
 */
const MAX_STEPS_STRINGIFIED_WHOLE = 500;

/** The trace's document (`TraceDocument`) as the JSON text stored and served. */
export function traceDocumentJson(trace: AgentTrace, summary: TraceSummary): string {
  const document = traceDocument(trace, summary);
  if (trace.steps.length <= MAX_STEPS_STRINGIFIED_WHOLE) return JSON.stringify(document);
  return joinedJson(document);
}

/**
 * The same text as `JSON.stringify(document)`, joined from each step's own JSON while walking
 * the tree with a stack of its own: ~1 µs a step dearer, and as deep as the tree goes.
 */
function joinedJson(document: TraceDocument): string {
  // `steps` and `version` are the last members, `children` a step's last: the rest keep order.
  const { steps, version, ...head } = document;
  const parts = [withoutClosingBrace(JSON.stringify(head)), ',"steps":['];
  const lists = [{ steps, next: 0 }];
  for (let list = lists.at(-1); list; list = lists.at(-1)) {
    if (list.next === list.steps.length) {
      lists.pop();
      // A list of children ends its parent step too.
      parts.push(lists.length > 0 ? ']}' : ']');
      continue;
    }
    const { children, ...members } = list.steps[list.next++]!;
    if (list.next > 1) parts.push(',');
    parts.push(withoutClosingBrace(JSON.stringify(members)), ',"children":[');
    lists.push({ steps: children, next: 0 });
  }
  parts.push(',"version":', JSON.stringify(version), '}');
  return parts.join('');
}

/** An object's JSON without its closing brace, for more members to follow. */
const withoutClosingBrace = (json: string): string => json.slice(0, -1);

/** Builds the step tree: children under their parents, ordered by start; orphans at the top. */
export function traceDocument(trace: AgentTrace, summary: TraceSummary): TraceDocument {
  const ordered = [...trace.steps].sort((a, b) =>
    a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
  );
  const nodes = new Map(ordered.map((step) => [step.spanId, stepDocument(step)]));
  const roots: StepDocument[] = [];
  for (const step of ordered) {
    const node = nodes.get(step.spanId)!;
    const parent = step.parentSpanId ? nodes.get(step.parentSpanId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return {
    schema_version: STEP_SCHEMA_VERSION,
    trace_id: trace.traceId,
    status: summary.status,
    start_time_unix_nano: summary.start.toString(),
    end_time_unix_nano: summary.end.toString(),
    duration_ns: summary.durationNs.toString(),
    service_name: summary.serviceName,
    root_name: summary.rootName,
    agent_name: summary.agentName,
    session_id: summary.sessionId,
    user_hash: summary.userHash,
    span_count: summary.spanCount,
    step_counts: summary.stepCounts,
    llm_calls: summary.llmCalls,
    tool_calls: summary.toolCalls,
    usage: usageDocument(summary.usage),
    cost_usd: summary.costUsd,
    error_count: summary.errorCount,
    failure_classes: summary.failureClasses,
    root_cause_span_id: summary.rootCauseSpanId,
    models: summary.models,
    failures: trace.failures.map(failureDocument),
    steps: roots,
    version: trace.version,
  };
}
