import {
  StatusCode,
  summarizeTrace,
  type AgentTrace,
  type TraceStep,
  type TraceSummary,
} from '../../model/index.js';

/** Step types whose output is the answer of the run, when no `final_output` step exists. */
const ANSWERING_TYPES = new Set(['agent', 'chain', 'llm_call']);

/** Values a trace condition found, for templates as `{match.<name>}`. */
export type MatchValues = Partial<
  Record<'count' | 'budget' | 'tool_name' | 'step_name', string | number>
>;

/**
 * One assembled trace as the trace rules see it. The summary (root, duration, service) is
 * computed once, and only when a rule needs it.
 */
export class TraceView {
  trace!: AgentTrace;
  /** The step a matching condition points at; the failure is recorded against it. */
  anchor: TraceStep | undefined;
  match: MatchValues = {};

  private summaryCache: TraceSummary | undefined;

  load(trace: AgentTrace): this {
    this.trace = trace;
    this.summaryCache = undefined;
    this.startRule();
    return this;
  }

  /** Clears what the previous rule's conditions found. */
  startRule(): void {
    this.anchor = undefined;
    this.match = {};
  }

  get summary(): TraceSummary {
    return (this.summaryCache ??= summarizeTrace(this.trace));
  }

  get root(): TraceStep | undefined {
    return this.summary.root;
  }

  /** The failure's step: what a condition pointed at, else the root, else the first step. */
  get failingStep(): TraceStep | undefined {
    return this.anchor ?? this.root ?? this.trace.steps[0];
  }

  /**
   * The step whose output is the run's answer: the last `final_output` step; else the root
   * when it is an agent, chain or LLM step; else the outermost (earliest) agent step.
   */
  outputStep(): TraceStep | undefined {
    let found: TraceStep | undefined;
    for (const step of this.trace.steps) {
      if (step.type === 'final_output' && (!found || step.endTimeUnixNano > found.endTimeUnixNano))
        found = step;
    }
    if (found) return found;
    const root = this.root;
    if (root && ANSWERING_TYPES.has(root.type)) return root;
    for (const step of this.trace.steps) {
      if (step.type === 'agent' && (!found || step.startTimeUnixNano < found.startTimeUnixNano))
        found = step;
    }
    return found;
  }
}

export const stepFailed = (step: TraceStep): boolean => step.statusCode === StatusCode.Error;
