import { attributeToText } from '../../../../model/attributes.js';
import { keptSlice } from '../../../../model/text.js';
import type { AttributeValue, Attributes } from '../../../../model/attributes.js';
import { firstMessageText, lastUserMessageText } from '../messages.js';
import {
  COMPLETION,
  INPUT_MESSAGES,
  OUTPUT_MESSAGES,
  PROMPT,
  flattenedCompletionText,
  flattenedPromptText,
} from '../conventions/gen-ai.js';
import { openInferenceInputText, openInferenceOutputText } from '../conventions/openinference.js';
import { isRecord, parseJson, structured } from '../values.js';

/**
 * Input and output previews: a short human-readable view of what went into a step and what
 * came out. Redaction ran before this processor, so the values are already redacted; they
 * are only shortened here. Messages give their text (the last user turn for input, the first
 * answer for output) rather than their JSON.
 */

/**
 * Sources in the order they are tried: GenAI messages, OpenInference's flattened messages, the
 * lists below, then GenAI's older flattened prompts; the first with a value gives the preview.
 */
const INPUT = [
  'input.value', // OpenInference
  'langfuse.observation.input', // Langfuse
  'ai.prompt.messages', // Vercel AI SDK, model calls
  'ai.prompt', // Vercel AI SDK, function calls: {system, prompt | messages}
  PROMPT, // GenAI before messages moved to their own attributes
  'gen_ai.tool.call.arguments', // a tool's input
  'ai.toolCall.args',
  'ai.toolCall.input',
  'gen_ai.retrieval.query.text', // a retrieval's or reranking's query
  'reranker.query',
  'ai.value', // Vercel AI SDK embed / embedMany
  'ai.values',
];
const OUTPUT = [
  'output.value', // OpenInference
  'langfuse.observation.output', // Langfuse
  'ai.response.text', // Vercel AI SDK: text, else the object or tool calls generated
  'ai.response.object',
  'ai.response.toolCalls',
  COMPLETION, // GenAI before messages moved to their own attributes
  'gen_ai.tool.call.result', // a tool's output
  'ai.toolCall.result',
  'ai.toolCall.output',
];

export interface Previews {
  inputPreview: string;
  outputPreview: string;
}

const NO_PREVIEWS: Readonly<Previews> = { inputPreview: '', outputPreview: '' };

/** Builds the preview function for a length; with 0 it does nothing at all. */
export function previewer(length: number): (attributes: Attributes) => Readonly<Previews> {
  if (length === 0) return () => NO_PREVIEWS;
  return (attributes) => ({
    inputPreview: truncate(inputText(attributes), length),
    outputPreview: truncate(outputText(attributes), length),
  });
}

function inputText(attributes: Attributes): string {
  return (
    preview(attributes[INPUT_MESSAGES], lastUserMessageText) ??
    openInferenceInputText(attributes) ??
    firstPreview(attributes, INPUT, lastUserMessageText) ??
    flattenedPromptText(attributes) ??
    ''
  );
}

function outputText(attributes: Attributes): string {
  return (
    preview(attributes[OUTPUT_MESSAGES], firstMessageText) ??
    openInferenceOutputText(attributes) ??
    firstPreview(attributes, OUTPUT, firstMessageText) ??
    flattenedCompletionText(attributes) ??
    ''
  );
}

type MessagePick = (messages: readonly unknown[]) => string | undefined;

function firstPreview(
  attributes: Attributes,
  keys: readonly string[],
  pick: MessagePick,
): string | undefined {
  for (const key of keys) {
    const text = preview(attributes[key], pick);
    if (text !== undefined) return text;
  }
  return undefined;
}

/**
 * The readable text of a value: plain text as it is; JSON messages (a list, one message, an
 * object holding `messages` or a `prompt` string) by their text; any other JSON as it was sent.
 */
function preview(value: AttributeValue | undefined, pick: MessagePick): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return textOf(structured(value), pick) ?? attributeToText(value);
  return (mayHoldMessages(value) ? textOf(parseJson(value), pick) : undefined) ?? value;
}

/**
 * Whether JSON text can hold messages or a prompt, checked before parsing it: every message
 * shape has a `role` key, a Vercel prompt a `prompt` key. Tool arguments and results, scores
 * and other JSON are shown as sent without being parsed; a search of the text is several times
 * cheaper than JSON.parse (tool spans of the benchmark payload: 4.6 → 3.4 µs each).
 */
function mayHoldMessages(text: string): boolean {
  return text.includes('"role"') || text.includes('"prompt"') || text.charCodeAt(0) === QUOTE;
}
const QUOTE = 0x22;

function textOf(data: unknown, pick: MessagePick): string | undefined {
  if (data === undefined) return undefined;
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return pick(data);
  if (!isRecord(data)) return undefined;
  if (Array.isArray(data.messages)) return pick(data.messages);
  if (typeof data.prompt === 'string') return data.prompt;
  // One message on its own, as Langfuse integrations record a generation's output.
  return data.content !== undefined || data.parts !== undefined ? pick([data]) : undefined;
}

const HIGH_SURROGATE_FIRST = 0xd800;
const HIGH_SURROGATE_LAST = 0xdbff;

/**
 * The first `length` UTF-16 code units, one fewer where the cut would split a surrogate pair;
 * held steps keep it for `decision_wait`, so not the text it was cut from.
 */
export function truncate(text: string, length: number): string {
  if (text.length <= length) return text;
  const last = text.charCodeAt(length - 1);
  const end = last >= HIGH_SURROGATE_FIRST && last <= HIGH_SURROGATE_LAST ? length - 1 : length;
  return keptSlice(text, 0, end);
}
