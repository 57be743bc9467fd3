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

/** The step that started first among those `isRoot` accepts (the first such in order on a tie). */
function earliest(steps: TraceStep[], isRoot: (step: TraceStep) => boolean): TraceStep | undefined {
  let found: TraceStep | undefined;
  for (const step of steps) {
    if (isRoot(step) && (!found || step.startTimeUnixNano < found.startTimeUnixNano)) found = step;
  }
  return found;
}

/** The root: the earliest step without a parent, else the earliest whose parent is missing. */
function rootOf(steps: TraceStep[]): TraceStep | undefined {
  const root = earliest(steps, (s) => s.parentSpanId === '');
  if (root) return root;
  const ids = new Set(steps.map((s) => s.spanId));
  return earliest(steps, (s) => !ids.has(s.parentSpanId));
}

function addUsage(total: TokenUsage, usage: TokenUsage): void {
  total.input += usage.input;
  total.output += usage.output;
  total.total += usage.total;
  total.cacheRead += usage.cacheRead;
  total.cacheWrite += usage.cacheWrite;
  total.reasoning += usage.reasoning;
}

export function summarizeTrace(trace: AgentTrace): TraceSummary {
  const steps = trace.steps;
  // Linear scans, not a sort: this runs for every emission of every trace.
  const root = rootOf(steps);
  let start = steps[0]?.startTimeUnixNano ?? 0n;
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
    if (TOKEN_STEP_TYPES.has(step.type)) addUsage(usage, step.usage);
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
