import { isRecord } from './values.js';

/**
 * The text of chat messages in the JSON shapes instrumentations send them in:
 * - GenAI `gen_ai.input.messages` / `gen_ai.output.messages`: `{role, parts: [{type: 'text', content}]}`
 * - OpenAI-style (Langfuse inputs, older GenAI `gen_ai.prompt`): `{role, content: 'text'}`
 * - Vercel AI SDK `ai.prompt.messages`: `{role, content: [{type: 'text', text}]}`
 */

const USER_ROLES = new Set(['user', 'human']);
const TEXT_PART_TYPES = new Set(['text', 'input_text', 'output_text']);

/**
 * The last user message's text: the turn the step answers (earlier turns are history). Falls
 * back to the last message when no role says user.
 */
export function lastUserMessageText(messages: readonly unknown[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (isRecord(message) && typeof message.role === 'string' && USER_ROLES.has(message.role)) {
      return messageText(message);
    }
  }
  return messages.length > 0 ? messageText(messages[messages.length - 1]) : undefined;
}

/** The first message's text: the answer (further entries are alternative choices). */
export function firstMessageText(messages: readonly unknown[]): string | undefined {
  return messages.length > 0 ? messageText(messages[0]) : undefined;
}

/**
 * A message's text parts joined by newlines, or its string content. A message without text
 * (only tool calls, images) gives its content as JSON, which says more than an empty preview.
 */
function messageText(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (!isRecord(message)) return undefined;
  const content = message.parts ?? message.content;
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return undefined;
  if (!Array.isArray(content)) return JSON.stringify(content);
  let text: string | undefined;
  for (const part of content) {
    const piece = partText(part);
    if (piece !== undefined) text = text === undefined ? piece : `${text}\n${piece}`;
  }
  return text ?? JSON.stringify(content);
}

function partText(part: unknown): string | undefined {
  if (typeof part === 'string') return part;
  if (!isRecord(part)) return undefined;
  const type = part.type;
  if (type !== undefined && !(typeof type === 'string' && TEXT_PART_TYPES.has(type))) {
    return undefined;
  }
  const text = part.content ?? part.text;
  return typeof text === 'string' ? text : undefined;
}
