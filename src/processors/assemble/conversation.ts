import {
  StatusCode,
  emptyTokenUsage,
  type AgentTrace,
  type Conversation,
  type Span,
  type StepInfo,
  type TraceStep,
} from '../../model/index.js';
import { carriesInputMessages, carriesOutputMessages } from './convert/conventions/gen-ai.js';

/**
 * The user's message and the run's answer as steps of their own (SPEC §5.2): when the root of a
 * trace is an agent span carrying GenAI input or output messages, the trace gets a `user_input`
 * or `final_output` step — unless one of its spans already is one (the tracer helper's, a
 * LangGraph `__start__` node), so a run is never told twice.
 *
 * Only a root agent step keeps its messages as its span passes (`conversationOf`); the steps
 * are made when the trace is emitted, once its root and all of its spans are known.
 */

/**
 * What a span's step keeps of its conversation: only a root agent's, and only the sides its
 * GenAI messages carry. The texts are the step's previews, which were read from attributes
 * the redact processor had already redacted, and truncated to `preview_length`.
 */
export function conversationOf(span: Span, step: StepInfo): Conversation | undefined {
  // Two comparisons for every span but a root agent: this runs on the per-span path.
  if (span.parentSpanId !== '' || step.type !== 'agent') return undefined;
  const input = carriesInputMessages(span.attributes) ? step.inputPreview : '';
  const output = carriesOutputMessages(span.attributes) ? step.outputPreview : '';
  return input || output ? { input, output } : undefined;
}

/**
 * Adds the `user_input` and `final_output` steps of the root's conversation to an emitted
 * trace, for each type the trace has no step of. A side without text adds nothing: an empty
 * answer stays on the root agent step, where the `empty_output` rule judges it (and excuses it
 * when the root failed) exactly as before.
 */
export function addConversationSteps(trace: AgentTrace): void {
  let root: TraceStep | undefined;
  let hasUserInput = false;
  let hasFinalOutput = false;
  for (const step of trace.steps) {
    if (step.type === 'user_input') hasUserInput = true;
    else if (step.type === 'final_output') hasFinalOutput = true;
    // The root as the trace summary picks it: the earliest step without a parent.
    if (step.parentSpanId === '' && (!root || step.startTimeUnixNano < root.startTimeUnixNano))
      root = step;
  }
  const conversation = root?.conversation;
  if (!root || !conversation) return;
  if (!hasUserInput && hasText(conversation.input)) {
    trace.steps.push(derivedStep(root, 'user_input', conversation.input, root.startTimeUnixNano));
  }
  if (!hasFinalOutput && hasText(conversation.output)) {
    trace.steps.push(derivedStep(root, 'final_output', conversation.output, root.endTimeUnixNano));
  }
}

const hasText = (text: string) => text.trim() !== '';

/**
 * A step under the root, at the instant the run started (the user's message) or ended (the
 * answer). Its id is the root's span id and its type, so every emission of the trace — also
 * after a redelivery or a late span — lists it under the same id, and no span id (hex digits)
 * can equal it. Its text is its output preview, the one preview a step document shows: what a
 * user_input brings into the run is the user's message (LangGraph's `__start__` node shows it
 * the same way). It has no status of its own, so the root's error is not counted twice.
 */
function derivedStep(
  root: TraceStep,
  type: 'user_input' | 'final_output',
  text: string,
  at: bigint,
): TraceStep {
  return {
    spanId: `${root.spanId}:${type}`,
    parentSpanId: root.spanId,
    name: type,
    type,
    serviceName: root.serviceName,
    agentName: root.agentName,
    sessionId: root.sessionId,
    userHash: root.userHash,
    startTimeUnixNano: at,
    endTimeUnixNano: at,
    statusCode: StatusCode.Unset,
    statusMessage: '',
    operation: '',
    model: '',
    toolName: '',
    toolArguments: '',
    usage: emptyTokenUsage(),
    costUsd: 0,
    outputPreview: text,
    failures: [],
    derived: true,
  };
}
