import type { Failure } from './failure.js';
import type { StepType, TokenUsage } from './step.js';

export type TraceStatus = 'ok' | 'failed' | 'incomplete';

/** One step of an assembled trace: what the trace document keeps of each span. */
export interface TraceStep {
  spanId: string;
  parentSpanId: string;
  name: string;
  type: StepType;
  serviceName: string;
  agentName: string;
  sessionId: string;
  userHash: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  statusCode: number;
  statusMessage: string;
  operation: string;
  model: string;
  toolName: string;
  /**
   * Tool arguments, kept for loop detection (same tool, same arguments): up to 256 characters
   * as sent, longer ones as their digest (`sha256:…`), so a held step stays small.
   */
  toolArguments: string;
  usage: TokenUsage;
  costUsd: number;
  outputPreview: string;
  /** Span-level failures of this step, filled in by classification as the span passes it. */
  failures: Failure[];
  /**
   * On a root agent step whose span carries GenAI messages: the user's message and the answer
   * they hold. Assembly turns them into `user_input` and `final_output` steps.
   */
  conversation?: Conversation;
  /**
   * True on a step no span stands for (derived at assembly, such as the `user_input` above):
   * it is listed and counted as a step, not as a span.
   */
  derived?: boolean;
}

/** What a root agent's GenAI messages said: redacted previews, '' for a side they leave out. */
export interface Conversation {
  /** The last user message. */
  input: string;
  /** The first output message: the answer. */
  output: string;
}

/** One agent trace, assembled from its spans (SPEC §5.2). */
export interface AgentTrace {
  traceId: string;
  steps: TraceStep[];
  /** True when the trace was flushed by the memory bound or shutdown rather than completed. */
  incomplete: boolean;
  /** Spans of the trace beyond the steps kept (`max_steps_per_trace`): stored, not listed. */
  droppedSteps: number;
  /** Trace-level failures (loops, step budgets, empty final output). */
  failures: Failure[];
  /**
   * Orders the emissions of one trace in storage (the highest wins): by the spans they cover
   * first, then by time, so an emission covering fewer spans never replaces one covering more.
   */
  version: number;
}
