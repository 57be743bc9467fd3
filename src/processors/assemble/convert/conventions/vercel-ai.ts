import type { Attributes } from '../../../../model/attributes.js';
import type { StepType } from '../../../../model/step.js';
import { kindFrom } from './kind.js';
import type { StepKind } from './kind.js';

/**
 * Vercel AI SDK telemetry: the operation id in `ai.operationId`, which is also the span name.
 * A function call wraps the provider calls (`….doGenerate`, `….doEmbed`) it makes, and reports
 * their summed usage again. Text and object generation run tools between model calls, and the
 * SDK's own GenAI mapping calls them `invoke_agent`: they are agent steps. `embed`, `embedMany`
 * and `rerank` only group provider calls (`embedMany` splits its values into several): they are
 * chains, so each embedding or reranking is one step, priced once.
 */

export const OPERATION_ID = 'ai.operationId';

const STEP_TYPES = new Map<string, StepType>([
  ['ai.generateText', 'agent'],
  ['ai.streamText', 'agent'],
  ['ai.generateObject', 'agent'],
  ['ai.streamObject', 'agent'],
  ['ai.generateText.doGenerate', 'llm_call'],
  ['ai.streamText.doStream', 'llm_call'],
  ['ai.generateObject.doGenerate', 'llm_call'],
  ['ai.streamObject.doStream', 'llm_call'],
  ['ai.toolCall', 'tool_call'],
  ['ai.embed', 'chain'],
  ['ai.embedMany', 'chain'],
  ['ai.embed.doEmbed', 'embedding'],
  ['ai.embedMany.doEmbed', 'embedding'],
  ['ai.rerank', 'chain'],
  ['ai.rerank.doRerank', 'reranker'],
]);

export function vercelAiKind(attributes: Attributes, spanName: string): StepKind | undefined {
  return (
    kindFrom(STEP_TYPES, 'vercel_ai', attributes[OPERATION_ID]) ??
    // The span name is the operation id, for exporters that dropped the attribute.
    (spanName.startsWith('ai.') ? kindFrom(STEP_TYPES, 'vercel_ai', spanName) : undefined)
  );
}
