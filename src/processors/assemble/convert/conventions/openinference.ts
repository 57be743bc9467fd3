import type { Attributes } from '../../../../model/attributes.js';
import type { StepType } from '../../../../model/step.js';
import { IndexedKey, higherScore, toNumber } from '../values.js';
import { kindFrom } from './kind.js';
import type { StepKind } from './kind.js';

/**
 * OpenInference (Arize): `openinference.span.kind` and the lists it flattens into indexed keys
 * (`llm.input_messages.0.message.content`, `retrieval.documents.2.document.score`). Lists are
 * zero-based and contiguous, so they are walked index by index with direct lookups until an
 * index is missing, instead of scanning every key of the span.
 */

export const SPAN_KIND = 'openinference.span.kind';

const STEP_TYPES = new Map<string, StepType>([
  ['LLM', 'llm_call'],
  ['EMBEDDING', 'embedding'],
  ['CHAIN', 'chain'],
  ['RETRIEVER', 'retrieval'],
  ['RERANKER', 'reranker'],
  ['TOOL', 'tool_call'],
  ['AGENT', 'agent'],
  ['GUARDRAIL', 'guardrail'],
  ['EVALUATOR', 'evaluator'],
  // Rendering a prompt template is glue between steps, not a model call.
  ['PROMPT', 'chain'],
]);

export function openInferenceKind(attributes: Attributes): StepKind | undefined {
  const value = attributes[SPAN_KIND];
  return (
    kindFrom(STEP_TYPES, 'openinference', value) ??
    // The spec writes kinds in upper case; tolerate instrumentations that do not.
    (typeof value === 'string'
      ? kindFrom(STEP_TYPES, 'openinference', value.toUpperCase())
      : undefined)
  );
}

/** One flattened message list: its role and content keys, and its multimodal text parts. */
class MessageList {
  private readonly role: IndexedKey;
  private readonly content: IndexedKey;

  constructor(private readonly prefix: string) {
    this.role = new IndexedKey(prefix, '.message.role');
    this.content = new IndexedKey(prefix, '.message.content');
  }

  has(attributes: Attributes, index: number): boolean {
    return (
      attributes[this.role.at(index)] !== undefined ||
      attributes[this.content.at(index)] !== undefined
    );
  }

  roleOf(attributes: Attributes, index: number): unknown {
    return attributes[this.role.at(index)];
  }

  /** `message.content`, or the text items of `message.contents` (multimodal messages). */
  text(attributes: Attributes, index: number): string | undefined {
    const content = attributes[this.content.at(index)];
    if (typeof content === 'string') return content;
    let text: string | undefined;
    // Rare (multimodal) and bounded by the span's attributes: keys are built on the spot.
    for (let item = 0; ; item++) {
      const base = `${this.prefix}${index}.message.contents.${item}.message_content.`;
      const type = attributes[`${base}type`];
      const piece = attributes[`${base}text`];
      if (type === undefined && piece === undefined) break;
      if (typeof piece === 'string' && (type === undefined || type === 'text')) {
        text = text === undefined ? piece : `${text}\n${piece}`;
      }
    }
    return text;
  }
}

const INPUT_MESSAGES = new MessageList('llm.input_messages.');
const OUTPUT_MESSAGES = new MessageList('llm.output_messages.');
const PROMPT_TEXT = 'llm.prompts.0.prompt.text'; // completions API (legacy)
const CHOICE_TEXT = 'llm.choices.0.completion.text';
const EMBEDDING_TEXT = 'embedding.embeddings.0.embedding.text';

/** The last user message of `llm.input_messages` (or the prompt / embedded text). */
export function openInferenceInputText(attributes: Attributes): string | undefined {
  let found = -1;
  let last = -1;
  for (let i = 0; INPUT_MESSAGES.has(attributes, i); i++) {
    last = i;
    const role = INPUT_MESSAGES.roleOf(attributes, i);
    if (role === 'user' || role === 'human') found = i;
  }
  if (last >= 0) return INPUT_MESSAGES.text(attributes, found >= 0 ? found : last);
  const prompt = attributes[PROMPT_TEXT] ?? attributes[EMBEDDING_TEXT];
  return typeof prompt === 'string' ? prompt : undefined;
}

/** The first message of `llm.output_messages` (or the first completion choice). */
export function openInferenceOutputText(attributes: Attributes): string | undefined {
  if (OUTPUT_MESSAGES.has(attributes, 0)) return OUTPUT_MESSAGES.text(attributes, 0);
  const choice = attributes[CHOICE_TEXT];
  return typeof choice === 'string' ? choice : undefined;
}

/** One flattened document list: a document counts when it has an id, content or score. */
class DocumentList {
  private readonly id: IndexedKey;
  private readonly content: IndexedKey;
  private readonly score: IndexedKey;

  constructor(prefix: string) {
    this.id = new IndexedKey(prefix, '.document.id');
    this.content = new IndexedKey(prefix, '.document.content');
    this.score = new IndexedKey(prefix, '.document.score');
  }

  /** The number of documents and their highest score (NaN when none has one); undefined when the list is absent. */
  read(attributes: Attributes): { count: number; topScore: number } | undefined {
    let count = 0;
    let topScore = Number.NaN;
    for (; ; count++) {
      const score = attributes[this.score.at(count)];
      if (
        score === undefined &&
        attributes[this.content.at(count)] === undefined &&
        attributes[this.id.at(count)] === undefined
      ) {
        break;
      }
      topScore = higherScore(topScore, toNumber(score));
    }
    return count > 0 ? { count, topScore } : undefined;
  }
}

export const RETRIEVED_DOCUMENTS = new DocumentList('retrieval.documents.');
export const RERANKED_DOCUMENTS = new DocumentList('reranker.output_documents.');
