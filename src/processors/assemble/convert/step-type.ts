import type { Attributes } from '../../../model/attributes.js';
import type { SpanEvent } from '../../../model/span.js';
import { faultlineKind } from './conventions/faultline.js';
import { genAiKind } from './conventions/gen-ai.js';
import type { StepKind } from './conventions/kind.js';
import { langfuseGenericKind, langfuseKind } from './conventions/langfuse.js';
import { langGraphInterruptKind, langGraphNodeKind } from './conventions/langgraph.js';
import { openInferenceKind } from './conventions/openinference.js';
import { vercelAiKind } from './conventions/vercel-ai.js';
import { MODEL_KEYS } from './fields/models.js';

/**
 * Which step a span is, when it carries several conventions (instrumentations stack: the
 * Vercel AI SDK writes `gen_ai.*` beside `ai.*`, Langfuse and OpenInference processors add
 * their own keys to spans of other libraries). The first that recognises its value decides:
 *
 * 0. `faultline.step.type`, written on purpose (the tracer helper), then a LangGraph
 *    interrupt (an exception event of type `GraphInterrupt`), whatever kind the span has, then
 *    LangGraph's `__start__` node (user input) and `ChannelWrite<…>` runs (state changes);
 * 1. `openinference.span.kind` — always set by OpenInference, and the most specific
 *    (it alone tells guardrails, evaluators and rerankers apart);
 * 2. `gen_ai.operation.name` — the OpenTelemetry standard;
 * 3. `langfuse.observation.type`, except the generic `span` / `event`;
 * 4. the Vercel AI SDK operation id (`ai.operationId`, else an `ai.*` span name);
 * 5. fallbacks: `gen_ai.tool.name` → tool_call; any model attribute → llm_call;
 * 6. a generic Langfuse `span` / `event`, then `span` with convention `none` (HTTP, DB, …).
 *
 * An unknown value (a custom GenAI operation, a future OpenInference kind) decides nothing, so
 * the next rule still gets its say.
 */
export function stepKindOf(
  attributes: Attributes,
  spanName: string,
  events: readonly SpanEvent[] = [],
): StepKind {
  return (
    faultlineKind(attributes) ??
    langGraphInterruptKind(events) ??
    langGraphNodeKind(spanName) ??
    openInferenceKind(attributes) ??
    genAiKind(attributes) ??
    langfuseKind(attributes) ??
    vercelAiKind(attributes, spanName) ??
    fallbackKind(attributes) ??
    langfuseGenericKind(attributes) ??
    NO_CONVENTION
  );
}

const NO_CONVENTION: StepKind = { type: 'span', convention: 'none', operation: '' };
const TOOL_FALLBACK: StepKind = { type: 'tool_call', convention: 'fallback', operation: '' };
const MODEL_FALLBACK: StepKind = { type: 'llm_call', convention: 'fallback', operation: '' };

function fallbackKind(attributes: Attributes): StepKind | undefined {
  if (attributes['gen_ai.tool.name'] !== undefined) return TOOL_FALLBACK;
  for (const key of MODEL_KEYS) if (attributes[key] !== undefined) return MODEL_FALLBACK;
  return undefined;
}
