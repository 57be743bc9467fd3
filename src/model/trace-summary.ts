import { emptyTokenUsage, type StepType, type TokenUsage } from './step.js';
import { StatusCode } from './span.js';
import type { AgentTrace, TraceStatus, TraceStep } from './trace.js';

/** The per-trace figures stored in `agent_traces` and served by the API. */
export interface TraceSummary {
  start: bigint;
  end: bigint;
  durationNs: bigint;
  root: TraceStep | undefined;
  serviceName: string;
  rootName: string;
  agentName: string;
  sessionId: string;
  userHash: string;
  status: TraceStatus;
  spanCount: number;
  stepCounts: Partial<Record<StepType, number>>;
  llmCalls: number;
  toolCalls: number;
  /** Token totals over the model calls (llm_call and embedding steps). */
  usage: TokenUsage;
  costUsd: number;
  errorCount: number;
  failureClasses: string[];
  /**
   * The failing step that ended first among those whose failures are not symptoms of another
   * (SPEC §5.3): the root cause. '' when none failed.
   */
  rootCauseSpanId: string;
  models: string[];
}

/** Failed, and not merely because a failure below it propagated up. */
const rootCauseCandidate = (step: TraceStep) =>
  step.failures.length > 0
    ? step.failures.some((failure) => failure.causedBy === '')
    : step.statusCode === StatusCode.Error;

/**
 * Steps whose tokens are their own. Agent and chain spans often repeat the totals of the model
 * calls under them (Vercel's ai.generateText, many agent frameworks), so they are not added.
 */
const TOKEN_STEP_TYPES: ReadonlySet<StepType> = new Set(['llm_call', 'embedding']);

/** The first non-empty value of `pick` over the root, then the other steps in order. */
function firstOf(
  steps: TraceStep[],
  root: TraceStep | undefined,
  pick: (s: TraceStep) => string,
): string {
  if (root && pick(root)) return pick(root);
  for (const step of steps) if (pick(step)) return pick(step);
  return '';
}

export function summarizeTrace(trace: AgentTrace): TraceSummary {
  const steps = trace.steps;
  const ids = new Set(steps.map((s) => s.spanId));
  const byStart = [...steps].sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
  const root =
    byStart.find((s) => s.parentSpanId === '') ?? byStart.find((s) => !ids.has(s.parentSpanId));
  let start = byStart[0]?.startTimeUnixNano ?? 0n;
  let end = 0n;
  const stepCounts: Partial<Record<StepType, number>> = {};
  const classes = new Set(trace.failures.map((f) => f.failureClass));
  const models = new Set<string>();
  const usage: TokenUsage = emptyTokenUsage();
  let costUsd = 0;
  let errorCount = 0;
  let derivedSteps = 0;
  let rootCause: TraceStep | undefined;
  for (const step of steps) {
    if (step.startTimeUnixNano < start) start = step.startTimeUnixNano;
    if (step.endTimeUnixNano > end) end = step.endTimeUnixNano;
    stepCounts[step.type] = (stepCounts[step.type] ?? 0) + 1;
    if (step.derived) derivedSteps++;
    if (TOKEN_STEP_TYPES.has(step.type)) {
      for (const key of Object.keys(usage) as (keyof TokenUsage)[]) usage[key] += step.usage[key];
    }
    costUsd += step.costUsd;
    if (step.model) models.add(step.model);
    if (step.statusCode === StatusCode.Error) errorCount++;
    for (const failure of step.failures) classes.add(failure.failureClass);
    if (
      rootCauseCandidate(step) &&
      (!rootCause || step.endTimeUnixNano < rootCause.endTimeUnixNano)
    )
      rootCause = step;
  }
  const status: TraceStatus = trace.incomplete
    ? 'incomplete'
    : classes.size > 0 || errorCount > 0
      ? 'failed'
      : 'ok';
  return {
    start,
    end,
    durationNs: end > start ? end - start : 0n,
    root,
    serviceName: root?.serviceName ?? '',
    rootName: root?.name ?? '',
    agentName: firstOf(steps, root, (s) => s.agentName),
    sessionId: firstOf(steps, root, (s) => s.sessionId),
    userHash: firstOf(steps, root, (s) => s.userHash),
    status,
    spanCount: steps.length - derivedSteps,
    stepCounts,
    llmCalls: stepCounts.llm_call ?? 0,
    toolCalls: stepCounts.tool_call ?? 0,
    usage,
    costUsd,
    errorCount,
    failureClasses: [...classes].sort(),
    rootCauseSpanId: rootCause?.spanId ?? '',
    models: [...models].sort(),
  };
}
