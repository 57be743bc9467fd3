import type { SpanEvent } from '../../../../model/span.js';
import type { StepKind } from './kind.js';

/**
 * LangGraph's human-in-the-loop interrupts: the graph stops by raising `GraphInterrupt` (or
 * its subclass `NodeInterrupt`, or the `Interrupt` of the JS library), which instrumentations
 * (OpenInference's LangChain one among them) record as an exception event on the node's span.
 * Such a span is an `interrupt` step.
 */
const INTERRUPTS = new Set(['GraphInterrupt', 'NodeInterrupt', 'Interrupt']);

export function langGraphInterruptKind(events: readonly SpanEvent[]): StepKind | undefined {
  for (const event of events) {
    if (event.name !== 'exception') continue;
    const type = event.attributes['exception.type'];
    if (typeof type !== 'string') continue;
    const name = type.slice(type.lastIndexOf('.') + 1); // langgraph.errors.GraphInterrupt
    if (INTERRUPTS.has(name))
      return { type: 'interrupt', convention: 'langgraph', operation: name };
  }
  return undefined;
}

/**
 * LangGraph's own graph machinery, traced as runs of their own (by OpenInference's LangChain
 * instrumentation, OpenLLMetry's with a `.task` suffix): the `__start__` node takes the graph's
 * input, and `ChannelWrite<channel,…>` runs write a node's result into the graph state (newer
 * LangGraph releases stop tracing the writes).
 */
export function langGraphNodeKind(spanName: string): StepKind | undefined {
  const name = spanName.endsWith('.task') ? spanName.slice(0, -'.task'.length) : spanName;
  if (name === '__start__') return { type: 'user_input', convention: 'langgraph', operation: name };
  if (name.startsWith('ChannelWrite<'))
    return { type: 'state_change', convention: 'langgraph', operation: 'ChannelWrite' };
  return undefined;
}
