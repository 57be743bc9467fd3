import type { Attributes } from '../../../../model/attributes.js';
import type { Evaluation, StepType, TokenUsage } from '../../../../model/step.js';
import { isRecord, structured, toAmount, toNumber } from '../values.js';
import { kindFrom } from './kind.js';
import type { StepKind } from './kind.js';

/**
 * Langfuse's OpenTelemetry attributes (`langfuse.observation.*`), as its SDKs write them: the
 * observation type, and usage and cost as JSON objects with keys of the client's choosing.
 */

export const OBSERVATION_TYPE = 'langfuse.observation.type';
const USAGE_DETAILS = 'langfuse.observation.usage_details';
const COST_DETAILS = 'langfuse.observation.cost_details';
const SCORE_PREFIX = 'langfuse.score.';

const STEP_TYPES = new Map<string, StepType>([
  ['generation', 'llm_call'],
  ['embedding', 'embedding'],
  ['agent', 'agent'],
  ['tool', 'tool_call'],
  ['chain', 'chain'],
  ['retriever', 'retrieval'],
  ['evaluator', 'evaluator'],
  ['guardrail', 'guardrail'],
]);

/** `span` and `event` say only "something happened": they decide nothing, other conventions may. */
const GENERIC_TYPES = new Map<string, StepType>([
  ['span', 'span'],
  ['event', 'span'],
]);

const lowerCase = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);

export function langfuseKind(attributes: Attributes): StepKind | undefined {
  const value = attributes[OBSERVATION_TYPE];
  // The SDKs write lower case; Langfuse's own API upper case.
  return (
    kindFrom(STEP_TYPES, 'langfuse', value) ?? kindFrom(STEP_TYPES, 'langfuse', lowerCase(value))
  );
}

export function langfuseGenericKind(attributes: Attributes): StepKind | undefined {
  return kindFrom(GENERIC_TYPES, 'langfuse', lowerCase(attributes[OBSERVATION_TYPE]));
}

/** The first amount among `keys` of a details object. */
function detail(details: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const amount = toAmount(details[key]);
    if (amount !== undefined) return amount;
  }
  return undefined;
}

/** A nested count such as OpenAI's `prompt_tokens_details.cached_tokens`. */
function nested(details: Record<string, unknown>, key: string, inner: string): number | undefined {
  const value = details[key];
  return isRecord(value) ? toAmount(value[inner]) : undefined;
}

/**
 * Token counts from `usage_details`: Langfuse's own keys (`input`, `output`, `total`,
 * `input_cached_tokens`, …), or an OpenAI / Anthropic usage object passed through.
 */
export function langfuseUsage(attributes: Attributes): Partial<TokenUsage> | undefined {
  const details = structured(attributes[USAGE_DETAILS]);
  if (!isRecord(details)) return undefined;
  return {
    input: detail(details, ['input', 'input_tokens', 'prompt_tokens']),
    output: detail(details, ['output', 'output_tokens', 'completion_tokens']),
    total: detail(details, ['total', 'total_tokens']),
    cacheRead:
      detail(details, [
        'input_cached_tokens',
        'input_cache_read',
        'cache_read_input_tokens',
        'cached_tokens',
      ]) ?? nested(details, 'prompt_tokens_details', 'cached_tokens'),
    cacheWrite: detail(details, [
      'input_cache_creation',
      'input_cache_write',
      'cache_creation_input_tokens',
    ]),
    reasoning:
      detail(details, ['output_reasoning_tokens', 'output_reasoning', 'reasoning_tokens']) ??
      nested(details, 'completion_tokens_details', 'reasoning_tokens'),
  };
}

/** USD from `cost_details`: its `total`, else the sum of its parts (as Langfuse itself does). */
export function langfuseCost(attributes: Attributes): number | undefined {
  const details = structured(attributes[COST_DETAILS]);
  if (!isRecord(details)) return undefined;
  const total = toAmount(details.total);
  if (total !== undefined) return total;
  let sum: number | undefined;
  for (const key in details) {
    const part = toAmount(details[key]);
    if (part !== undefined) sum = (sum ?? 0) + part;
  }
  return sum;
}

/**
 * Scores set as span attributes, `langfuse.score.<name>`: a number is the score, text the label.
 * Names are the client's, so this is the one place that scans keys; it runs on Langfuse spans only.
 */
export function langfuseScores(attributes: Attributes, into: Evaluation[]): void {
  for (const key in attributes) {
    if (!key.startsWith(SCORE_PREFIX)) continue;
    const value = attributes[key];
    const name = key.slice(SCORE_PREFIX.length);
    if (typeof value === 'string') into.push({ name, label: value, score: Number.NaN });
    else into.push({ name, label: '', score: toNumber(value) ?? Number.NaN });
  }
}
