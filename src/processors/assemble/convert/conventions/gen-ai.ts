import type { Attributes } from '../../../../model/attributes.js';
import type { StepType } from '../../../../model/step.js';
import { IndexedKey } from '../values.js';
import { kindFrom } from './kind.js';
import type { StepKind } from './kind.js';

/**
 * OpenTelemetry GenAI semantic conventions: `gen_ai.operation.name`. Values are the registry's
 * well-known ones, the memory operations of the GenAI memory conventions, and `rerank`, which
 * the Vercel AI SDK writes for its rerank calls.
 */

export const OPERATION_NAME = 'gen_ai.operation.name';

const STEP_TYPES = new Map<string, StepType>([
  ['chat', 'llm_call'],
  ['text_completion', 'llm_call'],
  ['generate_content', 'llm_call'],
  ['embeddings', 'embedding'],
  ['execute_tool', 'tool_call'],
  ['invoke_agent', 'agent'],
  ['create_agent', 'agent'],
  ['invoke_workflow', 'chain'],
  ['retrieval', 'retrieval'],
  ['rerank', 'reranker'],
  // An agent's planning step groups the model calls it makes (those count as llm_call);
  // as `chain` it does not count as a second agent in the trace.
  ['plan', 'chain'],
  ['search_memory', 'memory_read'],
  ['create_memory', 'memory_write'],
  ['update_memory', 'memory_write'],
  ['upsert_memory', 'memory_write'],
  ['delete_memory', 'memory_write'],
  ['create_memory_store', 'memory_write'],
  ['delete_memory_store', 'memory_write'],
  // Earlier drafts of the memory conventions.
  ['store_memory', 'memory_write'],
  ['retrieve_memory', 'memory_read'],
  ['get_memory', 'memory_read'],
]);

export function genAiKind(attributes: Attributes): StepKind | undefined {
  return kindFrom(STEP_TYPES, 'gen_ai', attributes[OPERATION_NAME]);
}

/** The messages of a model call or agent run, as JSON (or an OTLP list). */
export const INPUT_MESSAGES = 'gen_ai.input.messages';
export const OUTPUT_MESSAGES = 'gen_ai.output.messages';
/** The same before messages moved to their own attributes. */
export const PROMPT = 'gen_ai.prompt';
export const COMPLETION = 'gen_ai.completion';

/**
 * Message content as GenAI attributes carried it before `gen_ai.input.messages`, flattened
 * (`gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, `gen_ai.completion.0.content`), as the
 * OpenLLMetry instrumentations still write it.
 */
const PROMPT_ROLE = new IndexedKey('gen_ai.prompt.', '.role');
const PROMPT_CONTENT = new IndexedKey('gen_ai.prompt.', '.content');
const FIRST_COMPLETION = 'gen_ai.completion.0.content';

/** Whether the span carries GenAI input messages under any of their names. */
export function carriesInputMessages(attributes: Attributes): boolean {
  return (
    attributes[INPUT_MESSAGES] !== undefined ||
    attributes[PROMPT] !== undefined ||
    attributes[PROMPT_CONTENT.at(0)] !== undefined ||
    attributes[PROMPT_ROLE.at(0)] !== undefined
  );
}

/** Whether the span carries GenAI output messages under any of their names. */
export function carriesOutputMessages(attributes: Attributes): boolean {
  return (
    attributes[OUTPUT_MESSAGES] !== undefined ||
    attributes[COMPLETION] !== undefined ||
    attributes[FIRST_COMPLETION] !== undefined
  );
}

/** The last user prompt of the flattened list (the last prompt when none is the user's). */
export function flattenedPromptText(attributes: Attributes): string | undefined {
  let last: unknown;
  let user: unknown;
  for (let i = 0; ; i++) {
    const content = attributes[PROMPT_CONTENT.at(i)];
    const role = attributes[PROMPT_ROLE.at(i)];
    if (content === undefined && role === undefined) break;
    last = content;
    if (role === 'user') user = content;
  }
  const text = user ?? last;
  return typeof text === 'string' ? text : undefined;
}

export function flattenedCompletionText(attributes: Attributes): string | undefined {
  const content = attributes[FIRST_COMPLETION];
  return typeof content === 'string' ? content : undefined;
}
