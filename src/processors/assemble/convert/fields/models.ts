import type { Attributes } from '../../../../model/attributes.js';
import { firstText } from '../values.js';

/**
 * Model and provider. Keys are listed in the order they are tried; conventions rarely disagree,
 * so the order mostly decides which spelling of the same name is kept.
 */

const REQUEST_MODEL = [
  'gen_ai.request.model', // GenAI (the Vercel AI SDK writes it too)
  'llm.request.model_name', // OpenInference, when the provider routed to another model
  'ai.model.id', // Vercel AI SDK
  'langfuse.observation.model.name', // Langfuse
  'embedding.model_name', // OpenInference embedding spans
  'reranker.model_name', // OpenInference reranker spans
];

const RESPONSE_MODEL = [
  'gen_ai.response.model',
  'llm.response.model_name',
  'ai.response.model', // Vercel AI SDK, model calls
];

/** OpenInference's model: the response model when known, else the requested one (its spec). */
const OPENINFERENCE_MODEL = ['llm.model_name'];

/** Tried before the Vercel AI SDK's provider (which also writes `gen_ai.system`, unnormalised). */
const PROVIDER = [
  'gen_ai.provider.name', // GenAI: the provider as the client sees it (`azure.ai.openai`)
  'llm.provider', // OpenInference: the hosting provider (`azure`)
];
/** Tried after it. */
const LATE_PROVIDER = [
  'gen_ai.system', // GenAI before `provider.name`
  'llm.system', // OpenInference: the model's vendor (`openai`)
];
const VERCEL_PROVIDER = 'ai.model.provider'; // `openai.chat`, `anthropic.messages`

/**
 * Any of these makes a span without a kind an LLM call (the model fallback). Embedding and
 * reranker model names are left out: they never name a language model.
 */
export const MODEL_KEYS = [
  'gen_ai.request.model',
  'gen_ai.response.model',
  'llm.model_name',
  'llm.request.model_name',
  'llm.response.model_name',
  'ai.model.id',
  'ai.response.model',
  'langfuse.observation.model.name',
];

export interface Models {
  requestModel: string;
  responseModel: string;
  provider: string;
}

export function modelsOf(attributes: Attributes): Models {
  const openInference = firstText(attributes, OPENINFERENCE_MODEL);
  return {
    requestModel: firstText(attributes, REQUEST_MODEL) || openInference,
    responseModel: firstText(attributes, RESPONSE_MODEL) || openInference,
    provider:
      firstText(attributes, PROVIDER) ||
      vercelProvider(attributes) ||
      firstText(attributes, LATE_PROVIDER),
  };
}

/**
 * The Vercel AI SDK names a provider with its API (`openai.chat`); the part before the dot is
 * the provider, as in the SDK's own GenAI mapping.
 */
function vercelProvider(attributes: Attributes): string {
  const value = attributes[VERCEL_PROVIDER];
  if (typeof value !== 'string') return '';
  const dot = value.indexOf('.');
  return dot > 0 ? value.slice(0, dot) : value;
}
