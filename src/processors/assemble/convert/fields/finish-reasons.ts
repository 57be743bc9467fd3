import type { Attributes } from '../../../../model/attributes.js';
import { parseJson } from '../values.js';

const KEYS = [
  'gen_ai.response.finish_reasons', // GenAI: string[]
  'llm.finish_reason', // OpenInference: string
  'ai.response.finishReason', // Vercel AI SDK: string
];

/** Why the model stopped, one reason per choice; [] when the span does not say. */
export function finishReasonsOf(attributes: Attributes): string[] {
  for (const key of KEYS) {
    const value = attributes[key];
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) return value.filter((reason) => typeof reason === 'string');
    if (typeof value !== 'string') continue;
    // Some SDKs flatten the array into its JSON text.
    const parsed = parseJson(value);
    return Array.isArray(parsed)
      ? parsed.filter((reason): reason is string => typeof reason === 'string')
      : [value];
  }
  return [];
}
