import type { Attributes } from '../../../../model/attributes.js';
import type { TokenUsage } from '../../../../model/step.js';
import { langfuseUsage } from '../conventions/langfuse.js';
import { firstAmount } from '../values.js';

/**
 * Token counts, as the span reports them. In both GenAI and OpenInference the cache counts are
 * part of the input count and reasoning part of the output count; they are kept as reported,
 * not re-derived, and the total is input + output only when no total was sent.
 */

const INPUT = [
  'gen_ai.usage.input_tokens', // GenAI
  'gen_ai.usage.prompt_tokens', // GenAI's earlier name, still sent by OpenLLMetry
  'llm.token_count.prompt', // OpenInference
  'ai.usage.inputTokens', // Vercel AI SDK 5+
  'ai.usage.promptTokens', // Vercel AI SDK 4
];
const OUTPUT = [
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
  'ai.usage.outputTokens',
  'ai.usage.completionTokens',
];
const TOTAL = [
  'gen_ai.usage.total_tokens', // not in GenAI, but widely sent
  'llm.token_count.total',
  'ai.usage.totalTokens',
  'ai.usage.tokens', // Vercel AI SDK 4
  'llm.usage.total_tokens', // OpenLLMetry
];
const CACHE_READ = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens', // Anthropic's spelling, used before the GenAI name
  'llm.token_count.prompt_details.cache_read',
  'ai.usage.inputTokenDetails.cacheReadTokens',
  'ai.usage.cachedInputTokens',
];
const CACHE_WRITE = [
  'gen_ai.usage.cache_write.input_tokens', // semantic-conventions-genai v0.1
  'gen_ai.usage.cache_creation.input_tokens', // GenAI core before the split
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.token_count.prompt_details.cache_write',
  'ai.usage.inputTokenDetails.cacheWriteTokens',
];
const REASONING = [
  'gen_ai.usage.reasoning.output_tokens',
  'llm.token_count.completion_details.reasoning',
  'ai.usage.outputTokenDetails.reasoningTokens',
  'ai.usage.reasoningTokens',
];

/** The span's token usage; `undefined` when it reports no input, output or total count. */
export function usageOf(attributes: Attributes): TokenUsage | undefined {
  const flat: Partial<TokenUsage> = {
    input: firstAmount(attributes, INPUT),
    output: firstAmount(attributes, OUTPUT),
    total: firstAmount(attributes, TOTAL),
    cacheRead: firstAmount(attributes, CACHE_READ),
    cacheWrite: firstAmount(attributes, CACHE_WRITE),
    reasoning: firstAmount(attributes, REASONING),
  };
  // Langfuse spans carry usage as JSON instead of flat attributes.
  const reported = hasCounts(flat) ? flat : langfuseUsage(attributes);
  if (reported === undefined || !hasCounts(reported)) return undefined;
  const input = tokens(reported.input);
  const output = tokens(reported.output);
  return {
    input,
    output,
    total: reported.total === undefined ? input + output : tokens(reported.total),
    cacheRead: tokens(reported.cacheRead),
    cacheWrite: tokens(reported.cacheWrite),
    reasoning: tokens(reported.reasoning),
  };
}

const hasCounts = (usage: Partial<TokenUsage>) =>
  usage.input !== undefined || usage.output !== undefined || usage.total !== undefined;

/** Token counts are whole numbers in every schema downstream; a client's 12.0 or "12" is 12. */
const tokens = (count: number | undefined) => (count === undefined ? 0 : Math.round(count));
