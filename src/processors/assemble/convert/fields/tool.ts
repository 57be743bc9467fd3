import type { Attributes } from '../../../../model/attributes.js';
import type { StepType } from '../../../../model/step.js';
import { firstAnyText, firstText } from '../values.js';

const NAME = [
  'gen_ai.tool.name', // GenAI
  'tool.name', // OpenInference
  'ai.toolCall.name', // Vercel AI SDK
  'tool_call.function.name', // OpenInference
];
const ARGUMENTS = [
  'gen_ai.tool.call.arguments',
  'ai.toolCall.args', // Vercel AI SDK 4
  'ai.toolCall.input', // Vercel AI SDK 5+
  'tool_call.function.arguments',
];
const RESULT = ['gen_ai.tool.call.result', 'ai.toolCall.result', 'ai.toolCall.output'];

/**
 * On a tool step, the span's generic input and output are the tool's arguments and result:
 * OpenInference and Langfuse tool spans carry them only there. `tool.parameters` is last: in
 * OpenInference it describes the parameters, and is the call's arguments only in older
 * instrumentations.
 */
const STEP_INPUT = ['input.value', 'langfuse.observation.input', 'tool.parameters'];
const STEP_OUTPUT = ['output.value', 'langfuse.observation.output'];

/** GenAI names a tool span `execute_tool {tool name}`. */
const OPERATION_PREFIX = 'execute_tool ';

export interface ToolCall {
  toolName: string;
  toolArguments: string;
  toolResult: string;
}

const NO_TOOL: Readonly<ToolCall> = { toolName: '', toolArguments: '', toolResult: '' };

/** The tool a tool_call step called; other steps call none (their attributes are not read). */
export function toolOf(
  attributes: Attributes,
  type: StepType,
  spanName: string,
): Readonly<ToolCall> {
  if (type !== 'tool_call') return NO_TOOL;
  return {
    toolName: firstText(attributes, NAME) || toolNameFromSpan(spanName),
    toolArguments: firstAnyText(attributes, ARGUMENTS) || stepInputArguments(attributes),
    toolResult: firstAnyText(attributes, RESULT) || firstAnyText(attributes, STEP_OUTPUT),
  };
}

/**
 * The span's generic input as tool arguments. OpenInference marks the input of a tool with a
 * single string argument `text/plain`: that is a value, not JSON, so it is quoted as one (a
 * JSON string) rather than read as malformed JSON arguments.
 */
function stepInputArguments(attributes: Attributes): string {
  const input = firstAnyText(attributes, STEP_INPUT);
  const plainText =
    attributes['input.mime_type'] === 'text/plain' && input === attributes['input.value'];
  return input && plainText ? JSON.stringify(input) : input;
}

/**
 * OpenInference and Langfuse name a tool span after the tool; GenAI names it
 * `execute_tool {tool}`. Vercel's `ai.toolCall` is not a tool name (and always has the attribute).
 */
function toolNameFromSpan(spanName: string): string {
  if (spanName.startsWith(OPERATION_PREFIX)) return spanName.slice(OPERATION_PREFIX.length);
  if (spanName === 'execute_tool' || spanName.startsWith('ai.')) return '';
  return spanName;
}
